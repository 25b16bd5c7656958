"""An unmodified boto3 program: COUNT DescribeProperties calls through boto3's default session,
one JSON line per call (its answer or its error), then its exit status is 0."""

import json
import sys

import boto3
from botocore.exceptions import BotoCoreError, ClientError

count = int(sys.argv[1]) if len(sys.argv) > 1 else 1
client = boto3.client(sys.argv[2] if len(sys.argv) > 2 else "euprop")
for _ in range(count):
    try:
        answer = client.describe_properties(Properties=["dns.enabled"])
        print(json.dumps({"name": answer["Properties"][0]["Name"],
                          "retries": answer["ResponseMetadata"]["RetryAttempts"]}))
    except ClientError as error:
        meta = error.response["ResponseMetadata"]
        print(json.dumps({"error": error.response["Error"]["Code"],
                          "status": meta.get("HTTPStatusCode"),
                          "retries": meta.get("RetryAttempts")}))
    except (BotoCoreError, Exception) as error:  # CircuitOpenError among them
        print(json.dumps({"error": type(error).__name__, "message": str(error)}))
    sys.stdout.flush()

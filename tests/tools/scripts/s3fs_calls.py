"""An unmodified s3fs program (aiobotocore underneath): ``ACTION PROFILE``, one JSON line out.

``write`` makes the profile's bucket and a file in it; ``list`` lists the bucket. An error is
printed, not raised.
"""

import json
import sys

import s3fs

action, profile = sys.argv[1], sys.argv[2]
fs = s3fs.S3FileSystem(profile=profile, skip_instance_cache=True)
bucket = f"euca-{profile}"
try:
    if action == "write":
        fs.mkdir(bucket)
        fs.pipe(f"{bucket}/hello.txt", b"hello")
        print(json.dumps({"content": fs.cat(f"{bucket}/hello.txt").decode()}))
    else:
        print(json.dumps({"listed": [p.split("/", 1)[1] for p in fs.ls(bucket, refresh=True)]}))
except Exception as error:
    print(json.dumps({"error": type(error).__name__, "message": str(error)}))

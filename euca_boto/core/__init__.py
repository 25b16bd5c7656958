"""The core every feature is built on: settings, the door to botocore's internals, process-wide
state, and the small shared pieces (redaction, response parsing, the plain-session mark, the
operation proxy base, the local state file, the service models' location).

Importing this package imports nothing: each module is imported where it is used, so
``import euca_boto`` stays cheap.
"""

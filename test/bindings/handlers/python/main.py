# The Python function of the bindings app (test/bindings): only synthesized, never run.
def handler(event, context):
    return {"statusCode": 200, "body": "ok"}

"""The bindings app in Python: the same stack as test/bindings/typescript/app.ts, line for line.

Run by test/bindings/run.sh in a fresh virtual environment holding the built wheel
(dist/python) and aws-cdk-lib from PyPI (requirements.txt). The App writes to CDK_OUTDIR.
"""
import os
from importlib.metadata import version

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as secretsmanager
from cdk_clickstack_lambda import (
    ClickStackAspect,
    ClickStackInstrumentation,
    CollectorLayer,
    ConfigDelivery,
    IngestionKey,
    NodejsLayer,
    Propagator,
    PythonLayer,
    TelemetryApiType,
    TraceSampler,
)
from readme_stack import ReadmeStack

handlers = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "handlers")
endpoint = "https://clickstack.example.com:4318"

# analytics_reporting off: the CDKMetadata resource names the jsii runtime of each language.
app = cdk.App(analytics_reporting=False)
stack = cdk.Stack(app, "BindingsApp", env=cdk.Environment(account="123456789012", region="eu-west-1"))
key_secret = secretsmanager.Secret(stack, "IngestionKeySecret")

api = lambda_.Function(
    stack,
    "Api",
    runtime=lambda_.Runtime.NODEJS_22_X,
    handler="index.handler",
    code=lambda_.Code.from_asset(os.path.join(handlers, "node")),
)
lambda_.Function(
    stack,
    "Worker",
    runtime=lambda_.Runtime.PYTHON_3_12,
    handler="main.handler",
    code=lambda_.Code.from_asset(os.path.join(handlers, "python")),
)

ClickStackInstrumentation(
    stack,
    "ClickStack",
    endpoint=endpoint,
    ingestion_key=IngestionKey.from_secret(key_secret),
    functions=[api],
    service_name="api",
    nodejs_layer=NodejsLayer.V0_23_0,
    collector_layer=CollectorLayer.V0_23_0,
    sampler=TraceSampler.parent_based_trace_id_ratio(0.25),
    propagators=[Propagator.TRACECONTEXT, Propagator.BAGGAGE, Propagator.XRAY],
    nodejs_enabled_instrumentations=["http"],
    config_delivery=ConfigDelivery.BUNDLE,
)

ClickStackAspect(
    endpoint=endpoint,
    ingestion_key=IngestionKey.from_secret(key_secret, "key"),
    python_layer=PythonLayer.V0_21_0,
    lambda_telemetry=[TelemetryApiType.PLATFORM, TelemetryApiType.FUNCTION],
    deployment_environment="prod",
    resource_attributes={"team.name": "payments", "cost.center": "a=b,c"},
    python_disabled_instrumentations=["botocore"],
    config_delivery=ConfigDelivery.ENVIRONMENT,
).apply_to(stack)

# The README's one-line aspect, in a stack of its own (compared as the stack `Readme`).
ReadmeStack(app, "Readme", handlers, env=cdk.Environment(account="123456789012", region="eu-west-1"))

app.synth()
print(
    "versions: "
    + ", ".join(f"{name} {version(name)}" for name in ("aws-cdk-lib", "constructs", "jsii", "cdk-clickstack-lambda"))
)

"""The README's "Every function of a stack, in one line" in Python, as a stack of the bindings app.

The lines between README:start and README:end are the README's Python block, and each of its
import lines is one of this file's (scripts/check-readme-languages.ts checks both); run.sh
compares the synthesized stack with the TypeScript one (test/bindings/typescript/readme-stack.ts).
"""
import os

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as secretsmanager
from cdk_clickstack_lambda import ClickStackAspect, IngestionKey


class ReadmeStack(cdk.Stack):
    def __init__(self, scope, construct_id, handlers, **kwargs):
        super().__init__(scope, construct_id, **kwargs)
        lambda_.Function(
            self,
            "Handler",
            runtime=lambda_.Runtime.NODEJS_22_X,
            handler="index.handler",
            code=lambda_.Code.from_asset(os.path.join(handlers, "node")),
        )

        # README:start
        # In a stack's __init__: every function of this stack, nested stacks included.
        key = secretsmanager.Secret.from_secret_name_v2(self, "ClickStackKey", "clickstack/ingestion-key")
        ClickStackAspect(
            endpoint="https://clickstack.example.com:4318",
            ingestion_key=IngestionKey.from_secret(key),
        ).apply_to(self)
        # README:end

// The README's "Every function of a stack, in one line" in Go, as a stack of the bindings app.
// The lines between README:start and README:end are the README's Go block, and each of its
// import lines is one of this file's (scripts/check-readme-languages.ts checks both); run.sh
// compares the synthesized stack with the TypeScript one.
package main

import (
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/jsii-runtime-go"
	csl "github.com/clickstack/cdk-clickstack-lambda-go/cdkclickstacklambda"
)

func newReadmeStack(app awscdk.App, id string, props *awscdk.StackProps, handlers string) awscdk.Stack {
	stack := awscdk.NewStack(app, jsii.String(id), props)
	awslambda.NewFunction(stack, jsii.String("Handler"), &awslambda.FunctionProps{
		Runtime: awslambda.Runtime_NODEJS_22_X(),
		Handler: jsii.String("index.handler"),
		Code:    awslambda.Code_FromAsset(jsii.String(filepath.Join(handlers, "node")), nil),
	})

	// README:start
	// In a stack's constructor function: every function of this stack, nested stacks included.
	key := awssecretsmanager.Secret_FromSecretNameV2(stack, jsii.String("ClickStackKey"), jsii.String("clickstack/ingestion-key"))
	csl.NewClickStackAspect(&csl.ClickStackAspectProps{
		Endpoint:     jsii.String("https://clickstack.example.com:4318"),
		IngestionKey: csl.IngestionKey_FromSecret(key, nil),
	}).ApplyTo(stack)
	// README:end

	return stack
}

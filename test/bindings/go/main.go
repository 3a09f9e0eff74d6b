// The bindings app in Go: the same stack as test/bindings/typescript/app.ts, line for line.
//
// Built and run by test/bindings/run.sh with `go run .`: cdk-clickstack-lambda is the module
// jsii-pacmak generated (dist/go, through the `replace` in go.mod), aws-cdk-go from the Go module
// proxy. The App writes to CDK_OUTDIR.
package main

import (
	"fmt"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/jsii-runtime-go"
	csl "github.com/clickstack/cdk-clickstack-lambda-go/cdkclickstacklambda"
)

func main() {
	defer jsii.Close()

	handlers, err := filepath.Abs(filepath.Join("..", "handlers"))
	if err != nil {
		panic(err)
	}
	endpoint := jsii.String("https://clickstack.example.com:4318")

	// AnalyticsReporting off: the CDKMetadata resource names the jsii runtime of each language.
	app := awscdk.NewApp(&awscdk.AppProps{AnalyticsReporting: jsii.Bool(false)})
	stack := awscdk.NewStack(app, jsii.String("BindingsApp"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("123456789012"), Region: jsii.String("eu-west-1")},
	})
	keySecret := awssecretsmanager.NewSecret(stack, jsii.String("IngestionKeySecret"), nil)

	api := awslambda.NewFunction(stack, jsii.String("Api"), &awslambda.FunctionProps{
		Runtime: awslambda.Runtime_NODEJS_22_X(),
		Handler: jsii.String("index.handler"),
		Code:    awslambda.Code_FromAsset(jsii.String(filepath.Join(handlers, "node")), nil),
	})
	awslambda.NewFunction(stack, jsii.String("Worker"), &awslambda.FunctionProps{
		Runtime: awslambda.Runtime_PYTHON_3_12(),
		Handler: jsii.String("main.handler"),
		Code:    awslambda.Code_FromAsset(jsii.String(filepath.Join(handlers, "python")), nil),
	})

	csl.NewClickStackInstrumentation(stack, jsii.String("ClickStack"), &csl.ClickStackInstrumentationProps{
		Endpoint:                      endpoint,
		IngestionKey:                  csl.IngestionKey_FromSecret(keySecret, nil),
		Functions:                     &[]awslambda.Function{api},
		ServiceName:                   jsii.String("api"),
		NodejsLayer:                   csl.NodejsLayer_V0_23_0(),
		CollectorLayer:                csl.CollectorLayer_V0_23_0(),
		Sampler:                       csl.TraceSampler_ParentBasedTraceIdRatio(jsii.Number(0.25)),
		Propagators:                   &[]csl.Propagator{csl.Propagator_TRACECONTEXT(), csl.Propagator_BAGGAGE(), csl.Propagator_XRAY()},
		NodejsEnabledInstrumentations: jsii.Strings("http"),
		ConfigDelivery:                csl.ConfigDelivery_BUNDLE(),
	})

	csl.NewClickStackAspect(&csl.ClickStackAspectProps{
		Endpoint:                       endpoint,
		IngestionKey:                   csl.IngestionKey_FromSecret(keySecret, jsii.String("key")),
		PythonLayer:                    csl.PythonLayer_V0_21_0(),
		LambdaTelemetry:                &[]csl.TelemetryApiType{csl.TelemetryApiType_PLATFORM, csl.TelemetryApiType_FUNCTION},
		DeploymentEnvironment:          jsii.String("prod"),
		ResourceAttributes:             &map[string]*string{"team.name": jsii.String("payments"), "cost.center": jsii.String("a=b,c")},
		PythonDisabledInstrumentations: jsii.Strings("botocore"),
		ConfigDelivery:                 csl.ConfigDelivery_ENVIRONMENT(),
	}).ApplyTo(stack)

	// The README's one-line aspect, in a stack of its own (compared as the stack `Readme`).
	newReadmeStack(app, "Readme", &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("123456789012"), Region: jsii.String("eu-west-1")},
	}, handlers)

	app.Synth(nil)
	fmt.Println("versions: " + moduleVersions())
}

// moduleVersions says which module versions the go command resolved (the build info of this binary).
func moduleVersions() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(no build info)"
	}
	names := map[string]string{
		"github.com/aws/aws-cdk-go/awscdk/v2":                                "aws-cdk-go",
		"github.com/aws/constructs-go/constructs/v10":                        "constructs-go",
		"github.com/aws/jsii-runtime-go":                                     "jsii-runtime-go",
		"github.com/clickstack/cdk-clickstack-lambda-go/cdkclickstacklambda": "cdk-clickstack-lambda-go",
	}
	var out []string
	for _, dep := range info.Deps {
		if name, found := names[dep.Path]; found {
			version := dep.Version
			if dep.Replace != nil {
				version += " => " + dep.Replace.Path
			}
			out = append(out, name+" "+version)
		}
	}
	return strings.Join(out, ", ")
}

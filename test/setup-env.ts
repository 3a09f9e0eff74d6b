// Newer aws-cdk-lib runs a CloudFormation validation on every synth (seconds and hundreds of
// MiB each). Unit tests turn it off; test/validation.test.ts turns it on where it is the subject.
process.env.CDK_VALIDATION = process.env.CDK_VALIDATION ?? 'false';

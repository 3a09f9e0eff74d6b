import { Annotations, Resource, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';

/** Environment variable that carries a secret ARN known only at deploy time. */
export const SECRET_ARN_ENV = 'CLICKSTACK_INGESTION_KEY_SECRET_ARN';
/** Environment variable that carries a plain-text key that is a token. */
export const PLAIN_KEY_ENV = 'CLICKSTACK_INGESTION_KEY';

/** How a key reaches one function: the header value in collector.yaml and the variables it needs. */
export interface BoundIngestionKey {
  /** Value of the `authorization` header in collector.yaml (literal or `${...}` reference). */
  readonly headerValue: string;
  /** Environment variables the reference needs. */
  readonly environment: Record<string, string>;
}

/**
 * The ClickStack ingestion key, sent by the collector as the `authorization` header.
 *
 * Which form a ClickStack deployment expects (docs/security.md, "Which key for which ClickStack"):
 * open-source ClickStack takes its ingestion API key as the header value as it is, and so does
 * the ClickStack collector run in the gateway role for Managed ClickStack (its `OTLP_AUTH_TOKEN`);
 * the managed OTLP endpoint of ClickHouse Cloud ("Managed Telemetry") takes `Bearer <API key>`:
 * add `.asBearerToken()` for it.
 *
 * @example
 * import { ClickStackInstrumentation, IngestionKey } from 'cdk-clickstack-lambda';
 *
 * declare const handler: lambda.Function;
 *
 * // A JSON secret such as {"key": "..."}, created outside the app and imported by name: the
 * // collector reads it at cold start, the key is never in the template or the asset.
 * const keySecret = secretsmanager.Secret.fromSecretNameV2(this, 'IngestionKey', 'clickstack/ingestion');
 * new ClickStackInstrumentation(this, 'ClickStack', {
 *   endpoint: 'https://clickstack.example.com:4318',
 *   ingestionKey: IngestionKey.fromSecret(keySecret, 'key'),
 *   functions: [handler],
 * });
 */
export abstract class IngestionKey {
  /**
   * A key stored in AWS Secrets Manager. The collector reads it at cold start with its
   * `secretsmanager` config provider: the key is never in the template, the asset or `cdk.out`.
   * Each function's role is granted `secretsmanager:GetSecretValue` on this secret only (and
   * `kms:Decrypt` on its key when it has a customer-managed key).
   *
   * @param secret the secret, created in the stack or imported by ARN or name
   * @param jsonField the field that holds the key when the secret is a JSON object
   */
  public static fromSecret(secret: secretsmanager.ISecret, jsonField?: string): IngestionKey {
    return new SecretIngestionKey(secret, jsonField);
  }

  /**
   * A key written in plain text into `collector.yaml` (or, when it is a token, an environment
   * variable). Anyone who can read the function's code or configuration can read it, and it is
   * stored in `cdk.out`; each use leaves a warning. Prefer `fromSecret()`.
   */
  public static unsafePlainText(key: string): IngestionKey {
    return new PlainTextIngestionKey(key);
  }

  /**
   * The same key, sent as `Bearer <key>` (the `authorization` header the managed OTLP endpoint of
   * ClickHouse Cloud, "Managed Telemetry", expects). The key stays where it is: a secret is still
   * read by the collector at cold start (the header value is `Bearer ${secretsmanager:...}`, which
   * the collector expands inside the longer string), and nothing but the prefix is added to the
   * template. Open-source ClickStack and the ClickStack collector in the gateway role take the key
   * as it is: leave this out for them.
   *
   * @returns a new `IngestionKey`; this one is unchanged
   */
  public asBearerToken(): IngestionKey {
    return new BearerIngestionKey(this);
  }

  /** @internal the header value and the variables it needs; changes nothing */
  public abstract _reference(): BoundIngestionKey;

  /** @internal grants the function what reading the key needs, and leaves warnings */
  public abstract _grant(fn: lambda.Function): void;

  /** @internal why the key cannot be used by this function, before anything changes */
  public _refusal(_fn: lambda.Function): string | undefined {
    return undefined;
  }

  /** @internal the region of the secret that holds the key (a token when unknown at synth); undefined for a plain-text key */
  public _secretRegion(): string | undefined {
    return undefined;
  }
}

class SecretIngestionKey extends IngestionKey {
  constructor(private readonly secret: secretsmanager.ISecret, private readonly jsonField?: string) {
    super();
    if (jsonField !== undefined && !Token.isUnresolved(jsonField) && !/^[A-Za-z0-9_.\-]+$/.test(jsonField)) {
      throw new Error(`ingestion key JSON field '${jsonField}' must contain only letters, digits, '_', '.' and '-'`);
    }
  }

  public _secretRegion(): string {
    // A secret's environment: its stack's region, or the region in the ARN it was imported by.
    return this.secret.env.region;
  }

  public _reference(): BoundIngestionKey {
    const arn = this.secret.secretArn;
    const suffix = this.jsonField !== undefined ? `#${this.jsonField}` : '';
    if (Token.isUnresolved(arn)) {
      return {
        headerValue: `\${secretsmanager:\${env:${SECRET_ARN_ENV}}${suffix}}`,
        environment: { [SECRET_ARN_ENV]: arn },
      };
    }
    return { headerValue: `\${secretsmanager:${arn}${suffix}}`, environment: {} };
  }

  /**
   * A secret owned by a stack of another environment cannot be referenced at all (aws-cdk-lib
   * would fail with "Cannot use resource ... in a cross-environment fashion"), and the
   * collector's secretsmanager provider reads secrets of the function's own region only.
   */
  public _refusal(fn: lambda.Function): string | undefined {
    const owner = Stack.of(this.secret);
    const user = Stack.of(fn);
    if (owner === user || !Resource.isOwnedResource(this.secret)) return undefined;
    const env = (s: Stack) => `${Token.isUnresolved(s.account) ? 'any account' : s.account}/${Token.isUnresolved(s.region) ? 'any region' : s.region}`;
    if (owner.environment === user.environment) return undefined;
    return `the ingestion key secret ${this.secret.node.path} belongs to stack ${owner.node.path} (${env(owner)}), another environment than the function's stack ${user.node.path} (${env(user)}); the collector reads the key in the function's own region. Replicate the secret into ${Token.isUnresolved(user.region) ? 'the function\'s region' : user.region} (Secret replicaRegions) and pass IngestionKey.fromSecret(Secret.fromSecretNameV2(<scope in that stack>, 'Key', '<name>')) to the instrumentation of that stack`;
  }

  public _grant(fn: lambda.Function): void {
    const arn = this.secret.secretArn;
    const owner = Stack.of(this.secret);
    if (owner !== Stack.of(fn) && Resource.isOwnedResource(this.secret) && Token.isUnresolved(arn)) {
      // Same environment: CDK exports the ARN from the secret's stack and imports it here.
      // One note per stack, however many functions use the key.
      const stack = Stack.of(fn);
      const note = `[@clickstack/cdk:crossStackIngestionKey] the ingestion key secret ${this.secret.node.path} is defined in stack ${owner.node.path}: CDK exports its ARN from there and imports it into ${stack.node.path} (Fn::ImportValue, in the functions' variables and policies), so ${owner.node.path} deploys first and the secret cannot be replaced while this stack uses it; to avoid the export, pass IngestionKey.fromSecret(Secret.fromSecretNameV2(...)) created in this stack`;
      if (!stack.node.metadata.some(m => m.data === note)) Annotations.of(stack).addInfo(note);
    }
    const statement = new iam.PolicyStatement({
      actions: ['secretsmanager:GetSecretValue'],
      // A secret imported by name has a partial ARN; IAM needs the random suffix matched.
      resources: [this.secret.secretFullArn ?? `${arn}-??????`],
    });
    const added = fn.role?.addToPrincipalPolicy(statement).statementAdded ?? false;
    if (added) this.secret.encryptionKey?.grantDecrypt(fn);
    // An imported role may be immutable, and an immutable role drops statements silently.
    if (!added || !fn.role || !Resource.isOwnedResource(fn.role)) {
      Annotations.of(fn).addWarningV2('@clickstack/cdk:ingestionKeyNotGranted',
        `the role of ${fn.node.path} is not created by this app, so this app may not be able to change it: make sure it has secretsmanager:GetSecretValue on ${Token.isUnresolved(arn) ? 'the ingestion key secret' : arn}${this.secret.encryptionKey ? ' and kms:Decrypt on its key' : ''}, or the collector cannot read the ingestion key`);
    }
  }
}

class PlainTextIngestionKey extends IngestionKey {
  constructor(private readonly key: string) {
    super();
    if (!Token.isUnresolved(key) && key.trim() === '') {
      throw new Error('IngestionKey.unsafePlainText() got an empty key; omit ingestionKey to send no authorization header');
    }
  }

  public _grant(fn: lambda.Function): void {
    Annotations.of(fn).addWarningV2('@clickstack/cdk:plainTextIngestionKey',
      `the ClickStack ingestion key of ${fn.node.path} is stored in plain text in the function's configuration and in cdk.out; use IngestionKey.fromSecret() to keep it out of both`);
  }

  public _reference(): BoundIngestionKey {
    if (Token.isUnresolved(this.key)) {
      return { headerValue: `\${env:${PLAIN_KEY_ENV}}`, environment: { [PLAIN_KEY_ENV]: this.key } };
    }
    // `$` starts a config reference in the collector; `$$` is a literal `$`.
    return { headerValue: this.key.replace(/\$/g, '$$$$'), environment: {} };
  }
}

/**
 * A key sent as `Bearer <key>`: the inner key's header value behind the prefix. The collector
 * expands a `${...}` reference embedded in a longer string and puts the retrieved value's string
 * form in its place (go.opentelemetry.io/collector/confmap@v1.63.0, the version collector layer
 * 0.23.0 pins, expand.go:28-40 expands until nothing changes, :111-146 finds the innermost
 * `${...}` first, :179-186 replaces an embedded one with `Retrieved.AsString()`, provider.go:230-238;
 * the contrib secretsmanager provider returns the secret string, or the JSON field's value,
 * confmap/provider/secretsmanagerprovider/provider.go). So `Bearer ${secretsmanager:<arn>}`
 * becomes `Bearer <key>` at cold start, as the end-to-end test shows (test/e2e/ingestion-key.e2e.test.ts).
 */
class BearerIngestionKey extends IngestionKey {
  constructor(private readonly inner: IngestionKey) {
    super();
  }

  public asBearerToken(): IngestionKey {
    throw new Error('asBearerToken() was called on a key that is already sent as a Bearer token; call it once');
  }

  public _reference(): BoundIngestionKey {
    const bound = this.inner._reference();
    return { headerValue: `Bearer ${bound.headerValue}`, environment: bound.environment };
  }

  public _grant(fn: lambda.Function): void {
    this.inner._grant(fn);
  }

  public _refusal(fn: lambda.Function): string | undefined {
    return this.inner._refusal(fn);
  }

  public _secretRegion(): string | undefined {
    return this.inner._secretRegion();
  }
}

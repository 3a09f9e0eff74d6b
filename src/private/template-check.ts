import * as fs from 'fs';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';
import { Stack, Stage } from './cdk';
import { MANAGED_INSTANCES, onManagedInstances } from './rules/managed-instances';

/*
 * A function put on Lambda Managed Instances with a raw override,
 * `cfnFunction.addPropertyOverride('CapacityProviderConfig', ...)` (the only way on aws-cdk-lib
 * before 2.231, and what DataDog/datadog-lambda-extension@5bf63162 integration-tests/lib/util.ts:104-115
 * `setCapacityProvider()` does), is invisible to the planner: raw overrides are private to
 * CfnResource (`rawOverrides`), and `_toCloudFormation()` is @internal. Such a function would be
 * instrumented for standard Lambda, with the `decouple` processor, which on Managed Instances
 * holds every span, metric and log until the environment shuts down (src/collector-config.ts,
 * `managedInstances`).
 *
 * The one public place that sees the override is the synthesized template, and the public hook
 * that reads templates after synthesis is a policy validation plugin. This one reads the
 * template of every function this library instrumented for standard Lambda in the App, and
 * fails the validation for each whose resource has `CapacityProviderConfig`, naming it and the
 * fix. It is added, at synth, only to an App that defines a Lambda capacity provider (an
 * `AWS::Lambda::CapacityProvider` resource), where Managed Instances are in use, on every
 * aws-cdk-lib:
 *
 * - With `Validations` (aws-cdk-lib 2.25x and later, aws/aws-cdk#37611): `Validations.of(app).addPlugins()`.
 *   A passing plugin prints nothing there (core/lib/private/synthesis-validation.js,
 *   `validateTemplates`), but any plugin makes aws-cdk-lib build a tree of every construct with
 *   its logical id after synthesis (`ConstructTree`, measured: 3 % of the synth of 500
 *   functions), which an App without Managed Instances should not pay for.
 * - Before (`Stage.policyValidationBeta1`, a public array that `invokeValidationPlugins` reads
 *   after synthesis): every synth with any plugin prints "Performing Policy Validations", a
 *   summary table and "Policy Validation Successful!", the first and last on stdout, which
 *   breaks `cdk synth > template.yaml` (aws/aws-cdk#25331, fixed by aws/aws-cdk#37597 in the
 *   `Validations` era).
 *
 * A function put on a capacity provider defined outside the App is not seen (docs/runtime-notes.md
 * says so).
 */

/** What the check needs of one function instrumented for standard Lambda. */
interface Watched {
  readonly fn: lambda.Function;
  /** Who instrumented it, as users find it in messages. */
  readonly owner: string;
}

/** The functions each App's check looks at; the check is registered with the first one. */
const watchedByApp = new WeakMap<IConstruct, Map<lambda.Function, Watched>>();

/** What this library uses of aws-cdk-lib's `Validations` (newer releases). */
interface ValidationsOf {
  addPlugins(...plugins: cdk.IPolicyValidationPluginBeta1[]): void;
}

/** `Validations`, where this aws-cdk-lib has it (read by name: not in the oldest release this library supports). */
function validationsOf(app: IConstruct): ValidationsOf | undefined {
  const validations = (cdk as unknown as { Validations?: { of(scope: IConstruct): ValidationsOf } }).Validations;
  return validations?.of(app);
}

/**
 * Check at synth, in the template, that `fn`, instrumented for standard Lambda by `owner`, did
 * not end up on a capacity provider through a raw override.
 */
export function watchCapacityProviderOverride(fn: lambda.Function, owner: string): void {
  const app = fn.node.root;
  // Only an App runs validation plugins.
  if (!cdk.App.isApp(app)) return;
  let watched = watchedByApp.get(app);
  if (!watched) {
    watched = new Map();
    watchedByApp.set(app, watched);
    const plugin = new CapacityProviderOverrideCheck(watched);
    let added = false;
    app.node.addValidation({
      validate: () => {
        if (!added && definesCapacityProvider(app)) {
          const validations = validationsOf(app);
          if (validations) validations.addPlugins(plugin);
          else app.policyValidationBeta1.push(plugin);
          added = true;
        }
        return [];
      },
    });
  }
  watched.set(fn, { fn, owner });
}

/** Whether the App has an `AWS::Lambda::CapacityProvider` resource (`lambda.CapacityProvider`, its L1, or a raw `CfnResource`). */
function definesCapacityProvider(app: IConstruct): boolean {
  return app.node.findAll().some(c => cdk.CfnResource.isCfnResource(c) && c.cfnResourceType === 'AWS::Lambda::CapacityProvider');
}

/** Rule name in the validation report. */
export const OVERRIDE_RULE = 'clickstack-managed-instances-override';

/** The policy validation plugin: public API only (the synthesized templates, the construct tree). */
class CapacityProviderOverrideCheck implements cdk.IPolicyValidationPluginBeta1 {
  public readonly name = 'cdk-clickstack-lambda';
  public readonly ruleIds = [OVERRIDE_RULE];

  constructor(private readonly watched: Map<lambda.Function, Watched>) {}

  public validate(): cdk.PolicyValidationPluginReportBeta1 {
    const templates = new Map<string, any>();
    const violations: cdk.PolicyViolationBeta1[] = [];
    for (const { fn, owner } of this.watched.values()) {
      // Put on a capacity provider through the L1 property after all: the function's own
      // synth-time validation (src/private/apply.ts) has said so already.
      if (onManagedInstances(fn)) continue;
      const stack = Stack.of(fn);
      const stage = Stage.of(stack);
      if (!stage) continue;
      const templatePath = path.join(stage.outdir, stack.templateFile);
      if (!templates.has(templatePath)) templates.set(templatePath, readTemplate(templatePath));
      const template = templates.get(templatePath);
      if (template === undefined) continue;
      const logicalId = stack.resolve((fn.node.defaultChild as lambda.CfnFunction).logicalId) as string;
      const resource = template.Resources?.[logicalId];
      if (resource?.Properties?.CapacityProviderConfig === undefined) continue;
      violations.push({
        ruleName: OVERRIDE_RULE,
        severity: 'error',
        description: `${fn.node.path} runs on ${MANAGED_INSTANCES}: its template has CapacityProviderConfig, set where the instrumentation cannot see it (addPropertyOverride or addOverride on its CfnFunction), so ${owner} instrumented it for standard Lambda. Its collector configuration has the decouple processor, which on Managed Instances holds every span, metric and log until the environment shuts down.`,
        fix: 'Set the capacity provider where the instrumentation can read it (aws-cdk-lib 2.231 or later): capacityProvider.addFunction(fn), or cfnFunction.capacityProviderConfig = { lambdaManagedInstancesCapacityProviderConfig: { capacityProviderArn } }, instead of addPropertyOverride(\'CapacityProviderConfig\', ...); with ClickStackInstrumentation, before the function is instrumented. Or leave the function out (ClickStackAspect.optOut(fn), or do not pass it to ClickStackInstrumentation).',
        violatingResources: [{ resourceLogicalId: logicalId, templatePath, locations: ['Properties/CapacityProviderConfig'] }],
      });
    }
    return { success: violations.length === 0, violations };
  }
}

/**
 * The template, parsed only when it names `CapacityProviderConfig` at all (the text is searched
 * first: parsing a template of 500 functions costs more than everything else this check does);
 * undefined when it does not, or cannot be read.
 */
function readTemplate(file: string): any {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.includes('"CapacityProviderConfig"') ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

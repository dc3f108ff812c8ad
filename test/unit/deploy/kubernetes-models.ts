/**
 * Offline Kubernetes validation for the deploy tests: each kind drover's manifests use, mapped to
 * its kubernetes-models class (the Kubernetes OpenAPI schemas compiled to validators) and to the
 * TypeScript interface of that class, which tsc uses to catch unknown fields (the OpenAPI schemas
 * allow them; the API server with strict field validation does not).
 */
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';

interface Validating { validate(): void }
type ModelClass = new (data: never) => Validating;

/** `apiVersion/kind` -> the model class and the module + interface tsc checks it against. */
const MODELS: Record<string, { model: ModelClass; module: string; type: string }> = {
  'v1/Namespace': { model: Namespace, module: 'kubernetes-models/v1/Namespace', type: 'INamespace' },
  'v1/ServiceAccount': { model: ServiceAccount, module: 'kubernetes-models/v1/ServiceAccount', type: 'IServiceAccount' },
  'v1/ConfigMap': { model: ConfigMap, module: 'kubernetes-models/v1/ConfigMap', type: 'IConfigMap' },
  'v1/Secret': { model: Secret, module: 'kubernetes-models/v1/Secret', type: 'ISecret' },
  'v1/Service': { model: Service, module: 'kubernetes-models/v1/Service', type: 'IService' },
  'apps/v1/StatefulSet': { model: StatefulSet, module: 'kubernetes-models/apps/v1/StatefulSet', type: 'IStatefulSet' },
  'policy/v1/PodDisruptionBudget': { model: PodDisruptionBudget, module: 'kubernetes-models/policy/v1/PodDisruptionBudget', type: 'IPodDisruptionBudget' },
  'networking.k8s.io/v1/NetworkPolicy': { model: NetworkPolicy, module: 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy', type: 'INetworkPolicy' },
  'monitoring.coreos.com/v1/ServiceMonitor': { model: ServiceMonitor, module: '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor', type: 'IServiceMonitor' },
  'monitoring.coreos.com/v1/PrometheusRule': { model: PrometheusRule, module: '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule', type: 'IPrometheusRule' },
};

/** A Kubernetes object as read from YAML, with where it came from. */
export interface KubeObject {
  file: string;
  object: { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string; labels?: Record<string, string> }; [key: string]: unknown };
}

const nameOf = (o: KubeObject): string => `${o.file}: ${o.object.apiVersion}/${o.object.kind} ${o.object.metadata?.name ?? '(no name)'}`;

/** Problems of each object against its OpenAPI schema ("file: kind name: message"); [] when all validate. */
export function schemaProblems(objects: readonly KubeObject[]): string[] {
  const problems: string[] = [];
  for (const o of objects) {
    const entry = MODELS[`${o.object.apiVersion}/${o.object.kind}`];
    if (!entry) {
      problems.push(`${nameOf(o)}: no schema known for this apiVersion/kind`);
      continue;
    }
    try {
      new entry.model(o.object as never).validate();
    } catch (err) {
      problems.push(`${nameOf(o)}: ${(err as Error).message}`);
    }
  }
  return problems;
}

/**
 * Fields no schema knows (typos such as `readinesProbe`): tsc checks each object as an object
 * literal of its interface, where excess properties are errors. Returns tsc's messages.
 */
export function unknownFieldProblems(objects: readonly KubeObject[]): string[] {
  const known = objects.filter((o) => MODELS[`${o.object.apiVersion}/${o.object.kind}`]);
  const source = known.map((o, i) => {
    const entry = MODELS[`${o.object.apiVersion}/${o.object.kind}`]!;
    return `import type { ${entry.type} as T${i} } from '${entry.module}';\n// ${nameOf(o)}\nexport const o${i}: T${i} = ${JSON.stringify(o.object, null, 1)};\n`;
  }).join('\n');
  // A file that is never written: tsc reads it from `source`, and resolves imports from its folder.
  const file = fileURLToPath(new URL('./kube-objects.generated-check.ts', import.meta.url));
  const options: ts.CompilerOptions = { strict: true, noEmit: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, skipLibCheck: true, types: [] };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.readFile = (f) => (f === file ? source : readFile(f));
  host.fileExists = (f) => f === file || fileExists(f);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (f, v) => (f === file ? ts.createSourceFile(f, source, v) : getSourceFile(f, v));
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : -1;
    const context = where >= 0 ? source.split('\n').slice(0, where).reverse().find((l) => l.startsWith('// '))?.slice(3) : undefined;
    return `${context ?? '?'}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

/**
 * deploy/kubernetes: every resource the kustomization lists exists, parses, and validates offline
 * against the Kubernetes OpenAPI schemas (kubernetes-models; unknown fields caught by tsc against
 * the same models' types). No kustomize binary is available offline (none ships in a registry
 * package), so "the kustomization builds" is checked as: only fields kustomize knows, every listed
 * file present, one namespace. Then the objects agree with each other and with drover: selectors
 * match the pod labels, the config validates against schema/config.schema.json, its ports and files
 * are the container's ports and mounted Secret keys, DROVER_REPLICAS equals replicas, the probes
 * hit /healthz and /readyz, and the PrometheusRule is generated from deploy/prometheus.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { configProblems } from '../../../controller/config/errors.js';
import { checkConfigRules, validateConfigShape } from '../../../controller/config/validate.js';
import { ALERTS_YAML, PROMETHEUS_RULE_YAML, prometheusRuleYaml } from '../../../deploy/kubernetes/generate-prometheus-rule.js';
import { ROOT } from '../../support/paths.js';
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import type { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import type { ControllerConfig } from '../../../schema/generated/config.js';
import { schemaProblems, unknownFieldProblems, type KubeObject } from './kubernetes-models.js';

const DIR = join(ROOT, 'deploy/kubernetes');
const kustomization = parse(readFileSync(join(DIR, 'kustomization.yaml'), 'utf8')) as Record<string, unknown> & { resources: string[]; namespace: string };
const objects: KubeObject[] = kustomization.resources.flatMap((file) => {
  const docs = parseAllDocuments(readFileSync(join(DIR, file), 'utf8'));
  return docs.map((doc) => {
    if (doc.errors.length) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
    return { file, object: doc.toJS() as KubeObject['object'] };
  });
});
/** The object of `kind` (and `name`), typed by its kubernetes-models interface (it validates, see below). */
function find<T>(kind: string, name?: string): T {
  const found = objects.find((o) => o.object.kind === kind && (name === undefined || o.object.metadata?.name === name));
  if (!found) throw new Error(`no ${kind} ${name ?? ''} in the kustomization`);
  return found.object as T;
}
const sts = find<IStatefulSet>('StatefulSet');
const pod = sts.spec!.template;
const container = pod.spec!.containers[0]!;
const services = objects.filter((o) => o.object.kind === 'Service').map((o) => o.object as unknown as IService);

describe('deploy/kubernetes', () => {
  it('the kustomization uses only kustomize fields, and lists files that exist', () => {
    const KNOWN = ['apiVersion', 'kind', 'namespace', 'labels', 'resources', 'images', 'namePrefix', 'nameSuffix', 'commonAnnotations', 'patches', 'replicas', 'configMapGenerator', 'secretGenerator', 'components'];
    expect(Object.keys(kustomization).filter((k) => !KNOWN.includes(k))).toEqual([]);
    expect(kustomization).toMatchObject({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', namespace: 'drover' });
    expect(kustomization.resources.filter((f) => !existsSync(join(DIR, f)))).toEqual([]);
    expect(objects.map((o) => o.object.kind).sort()).toEqual([
      'ConfigMap', 'Namespace', 'NetworkPolicy', 'PodDisruptionBudget', 'PrometheusRule', 'Service', 'Service', 'ServiceAccount', 'ServiceMonitor', 'StatefulSet',
    ]);
    // kustomize sets the namespace: no object names another one.
    expect(objects.filter((o) => o.object.metadata?.namespace !== undefined).map((o) => o.file)).toEqual([]);
    expect(find<KubeObject['object']>('Namespace').metadata?.name).toBe(kustomization.namespace);
  });

  it('every object validates against the Kubernetes OpenAPI schemas, with no unknown field', () => {
    expect(schemaProblems(objects)).toEqual([]);
    expect(unknownFieldProblems(objects)).toEqual([]);
  });

  it('the validators catch a wrong type and a misspelt field (the check can fail)', () => {
    const wrongType = structuredClone(sts);
    (wrongType.spec!.template.spec!.containers[0]!.ports![0] as { containerPort: unknown }).containerPort = '8080';
    expect(schemaProblems([{ file: 'statefulset.yaml', object: wrongType as unknown as KubeObject['object'] }])).toEqual([
      'statefulset.yaml: apps/v1/StatefulSet drover: data/spec/template/spec/containers/0/ports/0/containerPort must be integer',
    ]);
    const misspelt = structuredClone(sts);
    const first = misspelt.spec!.template.spec!.containers[0]! as unknown as Record<string, unknown>;
    first.readinesProbe = first.readinessProbe;
    const problems = unknownFieldProblems([{ file: 'statefulset.yaml', object: misspelt as unknown as KubeObject['object'] }]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^statefulset\.yaml: apps\/v1\/StatefulSet drover: Object literal may only specify known properties, and '"?readinesProbe"?' does not exist/);
  });

  it('services, the disruption budget and the network policy select the StatefulSet\'s pods', () => {
    const labels = pod.metadata!.labels!;
    const selects = (selector: Record<string, string> | undefined): boolean => Object.entries(selector ?? { none: '' }).every(([k, v]) => labels[k] === v);
    expect(selects(sts.spec!.selector.matchLabels)).toBe(true);
    for (const service of services) expect(selects(service.spec!.selector), service.metadata!.name).toBe(true);
    expect(selects(find<IPodDisruptionBudget>('PodDisruptionBudget').spec!.selector!.matchLabels)).toBe(true);
    expect(selects(find<INetworkPolicy>('NetworkPolicy').spec!.podSelector.matchLabels)).toBe(true);
    expect(find<IService>('Service', sts.spec!.serviceName).spec!.clusterIP).toBe('None');
    // The ServiceMonitor scrapes the API Service named `drover` (job="drover" in the alert rules), not the headless one.
    const monitor = find<IServiceMonitor>('ServiceMonitor');
    const scraped = services.filter((s) => Object.entries(monitor.spec.selector.matchLabels ?? {}).every(([k, v]) => s.metadata!.labels?.[k] === v));
    expect(scraped.map((s) => s.metadata!.name)).toEqual(['drover']);
    expect(scraped[0]!.spec!.ports!.map((p) => p.name)).toContain(monitor.spec.endpoints![0]!.port);
    expect(pod.spec!.serviceAccountName).toBe(find<KubeObject['object']>('ServiceAccount').metadata?.name);
  });

  it('one shard per pod: DROVER_REPLICAS equals replicas, each pod keeps its state on its own volume', () => {
    const replicas = container.env!.find((e) => e.name === 'DROVER_REPLICAS');
    expect(replicas?.value).toBe(String(sts.spec!.replicas));
    const claims = sts.spec!.volumeClaimTemplates!.map((c) => c.metadata?.name);
    const config = driverConfig();
    const stateMount = container.volumeMounts!.find((m) => m.mountPath === config.stateDir);
    expect(claims).toContain(stateMount?.name);
    expect(config.shard).toBeUndefined();
  });

  it('the config validates against the controller schema, and its ports and files are the pod\'s', () => {
    const config = driverConfig();
    const problems = configProblems(undefined);
    expect(validateConfigShape(config, problems)).toBe(true);
    checkConfigRules(config, problems);
    expect(problems.list).toEqual([]);
    const ports = Object.fromEntries(container.ports!.map((p) => [p.name, p.containerPort]));
    expect(Number(String(config.listen).split(':').pop())).toBe(ports.http);
    expect(Number(String(config.metricsListen).split(':').pop())).toBe(ports.metrics);
    expect(container.readinessProbe!.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container.livenessProbe!.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.args).toEqual(['controller', '--config', `${mountOf('config')}/drover.config.yaml`]);
    // Every credential file of the config is a key of a mounted Secret (drover-ssh, drover-tokens).
    const files = [config.source.auth?.sshKeyFile, config.source.auth?.knownHostsFile, config.apiTokenFile, config.webhookSecretFile, config.sshKnownHostsFile, ...(config.sshIdentityFiles ?? [])];
    const secretVolumes = pod.spec!.volumes!.filter((v) => v.secret);
    const secretFiles = secretVolumes.flatMap((v) => v.secret!.items!.map((item) => `${mountOf(v.name)}/${item.path}`));
    expect(files.filter((f) => f === undefined || !secretFiles.includes(f))).toEqual([]);
    expect(secretVolumes.map((v) => v.secret!.secretName).sort()).toEqual(['drover-ssh', 'drover-tokens']);
  });

  it('the pod runs as non-root with a read-only root filesystem and no capabilities', () => {
    expect(pod.spec!.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(pod.spec!.automountServiceAccountToken).toBe(false);
  });

  it('the PrometheusRule is generated from deploy/prometheus/drover-alerts.yaml and holds the same rules', () => {
    const source = readFileSync(ALERTS_YAML, 'utf8');
    expect(readFileSync(PROMETHEUS_RULE_YAML, 'utf8'), 'run `npx tsx deploy/kubernetes/generate-prometheus-rule.ts`').toBe(prometheusRuleYaml(source));
    expect(find<IPrometheusRule>('PrometheusRule').spec.groups).toEqual((parse(source) as { groups: unknown[] }).groups);
    expect(() => prometheusRuleYaml('rules: []\n')).toThrow(/no "groups:" list/);
  });
});

/** The controller config held by the ConfigMap. */
function driverConfig(): ControllerConfig {
  return parse(find<IConfigMap>('ConfigMap', 'drover-config').data!['drover.config.yaml']!) as ControllerConfig;
}

/** Where the volume `name` is mounted in the container. */
function mountOf(name: string): string {
  const mount = container.volumeMounts!.find((m) => m.name === name);
  if (!mount) throw new Error(`volume ${name} is not mounted in the container`);
  return mount.mountPath;
}

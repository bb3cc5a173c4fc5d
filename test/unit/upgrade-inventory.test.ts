import { describe, expect, it } from 'vitest';
import { parseDeprecatedApis } from '../../src/operations/upgrade/inventory.js';

const METRICS = `# HELP apiserver_requested_deprecated_apis [STABLE] Gauge of deprecated APIs that have been requested, broken out by API group, version, resource, subresource, and removed_release.
# TYPE apiserver_requested_deprecated_apis gauge
apiserver_requested_deprecated_apis{group="flowcontrol.apiserver.k8s.io",removed_release="1.29",resource="flowschemas",subresource="",version="v1beta2"} 1
apiserver_requested_deprecated_apis{group="",removed_release="",resource="componentstatuses",subresource="",version="v1"} 1
apiserver_requested_deprecated_apis{group="autoscaling",removed_release="1.26",resource="horizontalpodautoscalers",subresource="status",version="v2beta2"} 1
apiserver_requested_deprecated_apis{group="batch",removed_release="1.25",resource="cronjobs",subresource="",version="v1beta1"} 0
apiserver_request_total{code="200",group="",resource="pods",verb="LIST",version="v1"} 42
# HELP apiserver_storage_objects Number of stored objects
`;

describe('deprecated APIs from the apiserver metrics', () => {
  it('reads group, version, resource, subresource and removal release; skips zero samples and other metrics', () => {
    expect(parseDeprecatedApis(METRICS)).toEqual([
      {
        group: 'flowcontrol.apiserver.k8s.io',
        version: 'v1beta2',
        resource: 'flowschemas',
        subresource: '',
        removedRelease: '1.29',
      },
      {
        group: '',
        version: 'v1',
        resource: 'componentstatuses',
        subresource: '',
        removedRelease: '',
      },
      {
        group: 'autoscaling',
        version: 'v2beta2',
        resource: 'horizontalpodautoscalers',
        subresource: 'status',
        removedRelease: '1.26',
      },
    ]);
  });

  it('merges the texts of several apiservers, labels in any order, with escapes', () => {
    const other = `apiserver_requested_deprecated_apis{version="v1beta2",resource="flowschemas",group="flowcontrol.apiserver.k8s.io",subresource="",removed_release="1.29"} 1
apiserver_requested_deprecated_apis{group="x.io",removed_release="1.40",resource="we\\"ird",subresource="",version="v1alpha1"} 1`;
    const apis = parseDeprecatedApis(`${METRICS}\n${other}`);
    expect(apis).toHaveLength(4);
    expect(apis[3]).toMatchObject({ group: 'x.io', resource: 'we"ird', removedRelease: '1.40' });
  });

  it('is empty for text without the metric', () => {
    expect(parseDeprecatedApis('')).toEqual([]);
    expect(parseDeprecatedApis('up 1\n')).toEqual([]);
  });
});

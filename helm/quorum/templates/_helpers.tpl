{{/* Names */}}
{{- define "quorum.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "quorum.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "quorum.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels; pass (dict "root" $ "component" "bot") */}}
{{- define "quorum.selectorLabels" -}}
app.kubernetes.io/name: {{ include "quorum.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- with .component }}
app.kubernetes.io/component: {{ . }}
{{- end }}
{{- with .cluster }}
quorum/cluster: {{ . }}
{{- end }}
{{- end }}

{{- define "quorum.labels" -}}
helm.sh/chart: {{ include "quorum.chart" .root }}
{{ include "quorum.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: quorum
{{- end }}

{{/* The image reference: repository@digest, else repository:tag (appVersion by default). */}}
{{- define "quorum.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{- define "quorum.secretName" -}}
{{- default (include "quorum.fullname" .) .Values.secrets.existingSecret }}
{{- end }}

{{- define "quorum.botServiceAccount" -}}
{{- printf "%s-bot" (include "quorum.fullname" .) }}
{{- end }}

{{- define "quorum.workerServiceAccount" -}}
{{- printf "%s-worker" (include "quorum.fullname" .) }}
{{- end }}

{{/* Deployment/claim name of one cluster's worker. */}}
{{- define "quorum.workerName" -}}
{{- printf "%s-worker-%s" (include "quorum.fullname" .root) .cluster | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The effective settings of a worker entry: the entry's keys over workerDefaults, maps
(kubeadm, nodeSelector, …) merged one level deep. Written out rather than with sprig's
merge, which lets a default `true` win over an entry's `false`.
*/}}
{{- define "quorum.workerValues" -}}
{{- $w := deepCopy .root.Values.workerDefaults }}
{{- range $key, $value := .entry }}
{{- $default := get $w $key }}
{{- if and (kindIs "map" $value) (kindIs "map" $default) }}
{{- $m := deepCopy $default }}
{{- range $k, $v := $value }}{{ $_ := set $m $k $v }}{{ end }}
{{- $_ := set $w $key $m }}
{{- else }}
{{- $_ := set $w $key $value }}
{{- end }}
{{- end }}
{{- toYaml $w }}
{{- end }}

{{/* Fails unless the cluster is in config.clusters. */}}
{{- define "quorum.checkCluster" -}}
{{- $names := list }}
{{- range .root.Values.config.clusters }}{{ $names = append $names .name }}{{ end }}
{{- if not (has .cluster $names) }}
{{- fail (printf "workers: cluster %q is not in config.clusters (configured: %s)" .cluster (join ", " $names)) }}
{{- end }}
{{- end }}

{{/* Pod-level securityContext: non-root, numeric user, seccomp RuntimeDefault. */}}
{{- define "quorum.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.securityContext.runAsUser }}
runAsGroup: {{ .Values.securityContext.runAsGroup }}
fsGroup: {{ .Values.securityContext.fsGroup }}
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Container securityContext: the same, plus read-only root, no escalation, no capabilities. */}}
{{- define "quorum.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.securityContext.runAsUser }}
runAsGroup: {{ .Values.securityContext.runAsGroup }}
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
privileged: false
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Liveness (/healthz) and readiness (/readyz) on the http port. */}}
{{- define "quorum.probes" -}}
livenessProbe:
  httpGet: { path: /healthz, port: http }
  initialDelaySeconds: 5
  periodSeconds: 10
  timeoutSeconds: 3
  failureThreshold: 6
readinessProbe:
  httpGet: { path: /readyz, port: http }
  initialDelaySeconds: 2
  periodSeconds: 5
  timeoutSeconds: 3
  failureThreshold: 3
{{- end }}

{{/* Environment shared by every pod. */}}
{{- define "quorum.commonEnv" -}}
- name: QUORUM_CONFIG
  value: /etc/quorum/config/config.yaml
- name: PORT
  value: {{ .Values.port | quote }}
- name: HOST
  value: "0.0.0.0"
- name: LOG_LEVEL
  value: {{ .Values.logLevel | quote }}
- name: HOME
  value: /tmp
{{- include "quorum.redisEnv" . }}
{{- end }}

{{/* How every pod reaches Redis: REDIS_URL, or REDIS_SENTINELS and REDIS_SENTINEL_MASTER; the passwords from a Secret. */}}
{{- define "quorum.redisEnv" -}}
{{- $r := .Values.redis }}
{{- if and $r.sentinels (not $r.sentinelMaster) }}
{{- fail "redis.sentinels needs redis.sentinelMaster: the name the sentinels monitor the master under (e.g. mymaster)" }}
{{- end }}
{{- if and .Values.secrets.existingSecret (not $r.existingSecret) (or $r.password $r.sentinelPassword) }}
{{- fail "redis.password and redis.sentinelPassword go into the chart's Secret, which secrets.existingSecret replaces: put REDIS_PASSWORD / REDIS_SENTINEL_PASSWORD into that Secret (or redis.existingSecret) instead" }}
{{- end }}
{{- if $r.sentinels }}
- name: REDIS_SENTINELS
  value: {{ join "," $r.sentinels | quote }}
- name: REDIS_SENTINEL_MASTER
  value: {{ $r.sentinelMaster | quote }}
{{- else if $r.existingSecret }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ $r.existingSecret }}
      key: {{ $r.existingSecretKey }}
{{- else }}
- name: REDIS_URL
  value: {{ $r.url | quote }}
{{- end }}
{{- if or $r.sentinels $r.password $r.sentinelPassword }}
{{- $from := $r.existingSecret | default (include "quorum.secretName" .) }}
{{- range list "REDIS_PASSWORD" "REDIS_SENTINEL_PASSWORD" }}
- name: {{ . }}
  valueFrom:
    secretKeyRef:
      name: {{ $from }}
      key: {{ . }}
      optional: true
{{- end }}
{{- end }}
{{- end }}

{{/* One variable from the Slack/alert Secret. (dict "root" $ "name" "SLACK_BOT_TOKEN" "optional" true) */}}
{{- define "quorum.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ include "quorum.secretName" .root }}
      key: {{ .name }}
      optional: {{ .optional }}
{{- end }}

{{/* The Slack side's variables (bot and start). */}}
{{- define "quorum.slackEnv" -}}
{{ include "quorum.secretEnv" (dict "root" . "name" "SLACK_BOT_TOKEN" "optional" false) }}
{{ include "quorum.secretEnv" (dict "root" . "name" "SLACK_SIGNING_SECRET" "optional" true) }}
{{ include "quorum.secretEnv" (dict "root" . "name" "SLACK_APP_TOKEN" "optional" true) }}
{{ include "quorum.secretEnv" (dict "root" . "name" "QUORUM_ALERT_TOKEN" "optional" true) }}
{{ include "quorum.secretEnv" (dict "root" . "name" "QUORUM_ALERTMANAGER_TOKEN" "optional" true) }}
{{- end }}

{{/* Volumes every pod has: the config file and a writable /tmp. */}}
{{- define "quorum.commonVolumes" -}}
- name: config
  configMap:
    name: {{ include "quorum.fullname" . }}-config
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
{{- if .Values.runbooks }}
- name: runbooks
  configMap:
    name: {{ include "quorum.fullname" . }}-runbooks
{{- end }}
{{- end }}

{{- define "quorum.commonVolumeMounts" -}}
- name: config
  mountPath: /etc/quorum/config
  readOnly: true
- name: tmp
  mountPath: /tmp
{{- if .Values.runbooks }}
- name: runbooks
  mountPath: /etc/quorum/runbooks
  readOnly: true
{{- end }}
{{- end }}

{{/* A worker entry's etcd certificate volumes; (dict "root" $ "w" $workerValues). */}}
{{- define "quorum.etcdVolumes" -}}
{{- $w := .w }}
{{- if $w.etcdClientSecret }}
- name: etcd-{{ $w.cluster }}
  secret:
    secretName: {{ $w.etcdClientSecret }}
    defaultMode: 288 # 0440: owner and group (fsGroup) read
{{- end }}
{{- if $w.kubeadm.hostPathCerts }}
- name: kubeadm-etcd-ca-{{ $w.cluster }}
  hostPath: { path: /etc/kubernetes/pki/etcd/ca.crt, type: File }
- name: kubeadm-etcd-cert-{{ $w.cluster }}
  hostPath: { path: /etc/kubernetes/pki/etcd/healthcheck-client.crt, type: File }
- name: kubeadm-etcd-key-{{ $w.cluster }}
  hostPath: { path: /etc/kubernetes/pki/etcd/healthcheck-client.key, type: File }
{{- end }}
{{- end }}

{{- define "quorum.etcdVolumeMounts" -}}
{{- $w := .w }}
{{- if $w.etcdClientSecret }}
- name: etcd-{{ $w.cluster }}
  mountPath: /etc/quorum/etcd/{{ $w.cluster }}
  readOnly: true
{{- end }}
{{- if $w.kubeadm.hostPathCerts }}
- name: kubeadm-etcd-ca-{{ $w.cluster }}
  mountPath: /etc/kubernetes/pki/etcd/ca.crt
  readOnly: true
- name: kubeadm-etcd-cert-{{ $w.cluster }}
  mountPath: /etc/kubernetes/pki/etcd/healthcheck-client.crt
  readOnly: true
- name: kubeadm-etcd-key-{{ $w.cluster }}
  mountPath: /etc/kubernetes/pki/etcd/healthcheck-client.key
  readOnly: true
{{- end }}
{{- end }}

{{/* The kubeadm control-plane placement. */}}
{{- define "quorum.controlPlaneNodeSelector" -}}
node-role.kubernetes.io/control-plane: ""
{{- end }}

{{- define "quorum.controlPlaneToleration" -}}
- key: node-role.kubernetes.io/control-plane
  operator: Exists
  effect: NoSchedule
{{- end }}

{{/* "true" when snapshots go to the volume's claim: persistence on and no object store. */}}
{{- define "quorum.snapshotClaimed" -}}
{{- if and .Values.persistence.enabled (not .Values.snapshots.store) }}true{{ end }}
{{- end }}

{{/* The snapshot volume: a claim, or an emptyDir (persistence off, or scratch beside an object store). (dict "root" $ "claim" NAME) */}}
{{- define "quorum.snapshotVolume" -}}
- name: snapshots
{{- if include "quorum.snapshotClaimed" .root }}
  persistentVolumeClaim:
    claimName: {{ default .claim .root.Values.persistence.existingClaim }}
{{- else if .root.Values.snapshots.store }}
  emptyDir:
    sizeLimit: 1Gi
{{- else }}
  emptyDir: {}
{{- end }}
{{- end }}

{{/* The object store's variables: region, endpoint, path style, keys from an existing Secret. */}}
{{- define "quorum.s3Env" -}}
{{- $s3 := .Values.snapshots.s3 }}
{{- if .Values.snapshots.store }}
{{- with $s3.region }}
- name: AWS_REGION
  value: {{ . | quote }}
{{- end }}
{{- with $s3.endpoint }}
- name: AWS_ENDPOINT_URL_S3
  value: {{ . | quote }}
{{- end }}
{{- if $s3.forcePathStyle }}
- name: QUORUM_S3_FORCE_PATH_STYLE
  value: "true"
{{- end }}
{{- with $s3.existingSecret }}
{{- range $key := list "AWS_ACCESS_KEY_ID" "AWS_SECRET_ACCESS_KEY" "AWS_SESSION_TOKEN" }}
- name: {{ $key }}
  valueFrom:
    secretKeyRef:
      name: {{ $.Values.snapshots.s3.existingSecret }}
      key: {{ $key }}
      optional: {{ eq $key "AWS_SESSION_TOKEN" }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/* A PersistentVolumeClaim for snapshots. (dict "root" $ "name" NAME "component" C "cluster" X) */}}
{{- define "quorum.snapshotClaim" -}}
{{- $p := .root.Values.persistence }}
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: {{ .name }}
  labels:
    {{- include "quorum.labels" (dict "root" .root "component" .component "cluster" .cluster) | nindent 4 }}
  {{- if $p.keepOnUninstall }}
  annotations:
    helm.sh/resource-policy: keep
  {{- end }}
spec:
  accessModes:
    {{- toYaml $p.accessModes | nindent 4 }}
  {{- if $p.storageClass }}
  storageClassName: {{ if eq $p.storageClass "-" }}""{{ else }}{{ $p.storageClass }}{{ end }}
  {{- end }}
  resources:
    requests:
      storage: {{ $p.size }}
{{- end }}

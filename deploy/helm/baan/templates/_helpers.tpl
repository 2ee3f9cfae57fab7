{{/* Names and labels shared by the templates. */}}

{{- define "baan.chart" -}}
{{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* <release>-<service>, e.g. baan-survey. Call with (dict "root" $ "name" "survey"). */}}
{{- define "baan.serviceName" -}}
{{ printf "%s-%s" .root.Release.Name .name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "baan.commonLabels" -}}
helm.sh/chart: {{ include "baan.chart" . }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: baan
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}

{{/* Labels of one service's objects. (dict "root" $ "name" "survey") */}}
{{- define "baan.labels" -}}
{{ include "baan.commonLabels" .root }}
app.kubernetes.io/name: {{ .name }}
{{- end }}

{{/* Selects every pod of one service (API pods and migration pods). */}}
{{- define "baan.podSelector" -}}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/name: {{ .name }}
{{- end }}

{{/* Selects the API pods of one service. */}}
{{- define "baan.selectorLabels" -}}
{{ include "baan.podSelector" . }}
app.kubernetes.io/component: api
{{- end }}

{{/* One service's settings: its own values over .Values.defaults. Returns YAML. */}}
{{- define "baan.config" -}}
{{- $svc := index .root.Values.services .name | default dict -}}
{{- toYaml (mergeOverwrite (deepCopy .root.Values.defaults) (deepCopy $svc)) -}}
{{- end }}

{{- define "baan.image" -}}
{{- $img := .root.Values.image -}}
{{- $digest := index ($img.digests | default dict) .name | default "" -}}
{{- if $digest -}}
{{ printf "%s/%s%s@%s" $img.registry $img.prefix .name $digest }}
{{- else -}}
{{ printf "%s/%s%s:%s" $img.registry $img.prefix .name ($img.tag | toString) }}
{{- end -}}
{{- end }}

{{- define "baan.envPrefix" -}}
{{ upper .name }}
{{- end }}

{{/* The CloudNativePG cluster of one service's database. */}}
{{- define "baan.dbCluster" -}}
{{ printf "%s-%s-db" .root.Release.Name .name | trunc 50 | trimSuffix "-" }}
{{- end }}

{{/* Secret holding the database URI (key `uri`): CloudNativePG's <cluster>-app, or the chart's own. */}}
{{- define "baan.dbSecret" -}}
{{- if .root.Values.postgres.create -}}
{{ include "baan.dbCluster" . }}-app
{{- else -}}
{{ include "baan.serviceName" . }}-database
{{- end -}}
{{- end }}

{{- define "baan.kafkaBootstrap" -}}
{{- if .Values.kafka.bootstrapServers -}}
{{ .Values.kafka.bootstrapServers }}
{{- else -}}
{{ printf "%s-kafka-bootstrap:%v" .Values.kafka.name .Values.kafka.port }}
{{- end -}}
{{- end }}

{{/* One service's Kafka user: the KafkaUser and the Secret holding its password. */}}
{{- define "baan.kafkaUser" -}}
{{ include "baan.serviceName" . }}
{{- end }}

{{/* Secret with the CA certificate of the Kafka brokers. */}}
{{- define "baan.kafkaCaSecret" -}}
{{ .Values.kafka.security.caSecret | default (printf "%s-cluster-ca-cert" .Values.kafka.name) }}
{{- end }}

{{- define "baan.kafkaUsesSasl" -}}
{{- if hasPrefix "SASL_" .Values.kafka.security.protocol }}true{{ end -}}
{{- end }}

{{- define "baan.kafkaUsesTls" -}}
{{- if has .Values.kafka.security.protocol (list "SSL" "SASL_SSL") }}true{{ end -}}
{{- end }}

{{/* Kubernetes object name of a topic: survey.households -> survey-households. */}}
{{- define "baan.topicResourceName" -}}
{{ . | replace "." "-" | replace "_" "-" | lower | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Environment of a service container; shared by the API, its init container and the migration Job. */}}
{{- define "baan.databaseEnv" -}}
- name: {{ include "baan.envPrefix" . }}_DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "baan.dbSecret" . }}
      key: uri
{{- end }}

{{/* Restricted pod security, shared by the Deployments and the Jobs. */}}
{{- define "baan.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "baan.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
capabilities:
  drop: ["ALL"]
{{- end }}

{{/* Whether the services are published under /<service> (Gateway API or Ingress). */}}
{{- define "baan.frontDoor" -}}
{{- if or .Values.gateway.enabled .Values.ingress.enabled }}true{{ end -}}
{{- end }}

{{/* The path prefix one service is published under: /survey. (dict "root" $ "name" "survey") */}}
{{- define "baan.pathPrefix" -}}
/{{ .name }}
{{- end }}

{{/* The public paths of one service, without its prefix, one a line. */}}
{{- define "baan.publicPaths" -}}
{{- $fd := .root.Values.frontDoor -}}
{{- range concat $fd.paths (index ($fd.extraPaths | default dict) .name | default list) }}
{{ . }}
{{- end -}}
{{- end }}

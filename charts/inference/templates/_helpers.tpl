{{/* Chart name, truncated to the 63 characters a label value allows. */}}
{{- define "inference.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full resource name: <release>-<chart>, or the release name when it already contains the chart name.
Truncated to 63 characters because some Kubernetes name fields are limited to that (DNS-1123 label).
*/}}
{{- define "inference.fullname" -}}
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

{{/* Chart name and version for the helm.sh/chart label. */}}
{{- define "inference.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels every object carries. */}}
{{- define "inference.labels" -}}
helm.sh/chart: {{ include "inference.chart" . }}
{{ include "inference.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: inference
{{- end }}

{{/* Labels the Service, PDB, NetworkPolicy and spread constraints select pods by. Never change them in an upgrade. */}}
{{- define "inference.selectorLabels" -}}
app.kubernetes.io/name: {{ include "inference.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Labels of the `helm test` pod: deliberately NOT the selector labels, so the Service never routes requests to
it and the PodDisruptionBudget never counts it.
*/}}
{{- define "inference.testLabels" -}}
helm.sh/chart: {{ include "inference.chart" . }}
app.kubernetes.io/name: {{ include "inference.name" . }}-test
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: test
{{- end }}

{{/* ServiceAccount name. */}}
{{- define "inference.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "inference.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Server image: repository:tag (with the GPU suffix when gpu.enabled), or repository@digest. */}}
{{- define "inference.image" -}}
{{- $tag := .Values.image.tag }}
{{- if .Values.gpu.enabled }}
{{- $tag = printf "%s%s" $tag .Values.gpu.imageTagSuffix }}
{{- end }}
{{- if .Values.image.digest }}
{{- printf "%s:%s@%s" .Values.image.repository $tag .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{/* The model's directory in the container: TF Serving's --model_base_path. */}}
{{- define "inference.modelBasePath" -}}
{{- printf "%s/%s" (.Values.model.mountRoot | trimSuffix "/") .Values.model.name }}
{{- end }}

{{/* Directory of the ConfigMap with the batching and monitoring configs. */}}
{{- define "inference.configDir" -}}
/etc/tfserving
{{- end }}

{{/* True ("true") when the chart renders its ConfigMap. */}}
{{- define "inference.hasConfig" -}}
{{- if or .Values.batching.enabled .Values.monitoring.enabled }}true{{ end }}
{{- end }}

{{/*
Checks the schema cannot express: cross-field rules and required values, each failing with the fix.
Included once, from the Deployment.
*/}}
{{- define "inference.validate" -}}
{{- if eq .Values.image.tag "latest" }}
{{- fail "image.tag \"latest\" is refused: pin a TF Serving release such as 2.19.1 so every pod runs the same server" }}
{{- end }}
{{- if eq .Values.helmTest.image.tag "latest" }}
{{- fail "helmTest.image.tag \"latest\" is refused: pin a release such as 1.37.0" }}
{{- end }}
{{- $storage := .Values.model.storage }}
{{- if regexMatch "(^|/)\\.\\.(/|$)" $storage.subPath }}
{{- fail (printf "model.storage.subPath %q must stay inside the volume: no \"..\" segments" $storage.subPath) }}
{{- end }}
{{- if eq $storage.type "pvc" }}
{{- if not $storage.claimName }}
{{- fail "model.storage.claimName is required when model.storage.type is \"pvc\"" }}
{{- end }}
{{- if not $storage.subPath }}
{{- fail "model.storage.subPath is required: the directory in the volume holding the model's version directories, models/<experiment>/<trial> for a Katib trial (katib-local best NAME --helm-values FILE writes it)" }}
{{- end }}
{{- else if eq $storage.type "volume" }}
{{- if not $storage.volume }}
{{- fail "model.storage.volume is required when model.storage.type is \"volume\": a Kubernetes volume source such as {nfs: {server: ..., path: ...}}" }}
{{- end }}
{{- end }}
{{- if and .Values.autoscaling.enabled (gt (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas)) }}
{{- fail (printf "autoscaling.minReplicas (%d) must not exceed autoscaling.maxReplicas (%d)" (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas)) }}
{{- end }}
{{- $pdb := .Values.podDisruptionBudget }}
{{- if and $pdb.enabled (ne (toString $pdb.minAvailable) "") (ne (toString $pdb.maxUnavailable) "") }}
{{- fail "podDisruptionBudget: set minAvailable or maxUnavailable, not both (set the other to \"\")" }}
{{- end }}
{{- if and $pdb.enabled (eq (toString $pdb.minAvailable) "") (eq (toString $pdb.maxUnavailable) "") }}
{{- fail "podDisruptionBudget: set one of minAvailable or maxUnavailable" }}
{{- end }}
{{- if and .Values.batching.enabled .Values.batching.allowedBatchSizes }}
{{- if ne (int (last .Values.batching.allowedBatchSizes)) (int .Values.batching.maxBatchSize) }}
{{- fail (printf "batching.allowedBatchSizes must end with batching.maxBatchSize (%d), as TF Serving requires" (int .Values.batching.maxBatchSize)) }}
{{- end }}
{{- end }}
{{- end }}

{{/* The pod that runs `kube-inspect check`: one spec for the Job and the test hook,
     the same as deploy/check-job.yaml's (tests/unit/test_deploy.py). */}}
{{- define "kube-inspect.checkPod" -}}
serviceAccountName: {{ .Release.Name }}
restartPolicy: Never
securityContext:
  runAsNonRoot: true
  runAsUser: 65532
  runAsGroup: 65532
containers:
  - name: check
    image: {{ .Values.image }}
    imagePullPolicy: {{ .Values.imagePullPolicy }}
    args: {{ concat (list "check" "--namespace" "$(CHECK_NAMESPACE)") .Values.check.args | toJson }}
    env:
      - name: CHECK_NAMESPACE
        value: {{ .Values.check.namespace | default .Release.Namespace | quote }}
    securityContext:
      allowPrivilegeEscalation: false
      readOnlyRootFilesystem: true
      capabilities:
        drop: [ALL]
    resources: {{ toJson .Values.resources }}
{{- end -}}

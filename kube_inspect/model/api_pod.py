"""The pod fields kube-inspect reads, declared once: the typed input of the builder.

interpret/objects.py builds a Pod from an ``ApiPod``. The JSON decoders derive from these
types: kube/decode.py hands them to msgspec (the JSON wire, and the snapshot's pods,
which are recorded through it), and derives the tree's lean schema from them. The
protobuf wire's schema (kube/k8s_proto/k8s_narrow.proto) needs field numbers, so it is
written by hand, and tests/unit/test_pod_schema.py holds it to these types: it names
exactly these fields, its converters keep all it names, and the builder reads no field
that is not declared here. A field the builder starts reading is added here (and to the
.proto, which that test then asks for); so is a field a snapshot's pods are selected on
(offline/playback.py's POD_FIELDS).

Keys are spelt as the API's JSON spells them. Leaves are ``Any``: objects may be
malformed, and the builder checks every type it reads (interpret/fields.py). Fields marked
``VOLUMES`` are only read by views that show volumes; the lean decoding for the other
views (the tree) leaves them out.
"""

from __future__ import annotations

from typing import Annotated, Any, Final, TypedDict


class VolumesOnly:
    """Marks a field only the views showing volumes read (``Annotated[..., VOLUMES]``)."""


VOLUMES: Final = VolumesOnly()


class Skipped(TypedDict, total=False):
    """A value whose presence is read, never its content (decoded as an empty dict)."""


class OwnerReference(TypedDict, total=False):
    """An owner: the controller's kind and name lead to the pod's workload."""

    kind: Any
    name: Any
    controller: Any


class PodMeta(TypedDict, total=False):
    """The pod's metadata: identity, age, labels, owners and deletion."""

    name: Any
    namespace: Any
    creationTimestamp: Any
    deletionTimestamp: Any  # set: the pod is being deleted (kubectl: Terminating)
    deletionGracePeriodSeconds: Any
    labels: Any
    ownerReferences: list[OwnerReference] | None


class Port(TypedDict, total=False):
    """A declared container port (``http:80/TCP``)."""

    name: Any
    containerPort: Any
    protocol: Any


class Mount(TypedDict, total=False):
    """Where a container mounts a volume."""

    name: Any
    mountPath: Any


class ContainerSpec(TypedDict, total=False):
    """A container as the spec declares it (init, app or ephemeral)."""

    name: Any
    image: Any
    restartPolicy: Any
    resources: Any
    ports: list[Port] | None
    volumeMounts: Annotated[list[Mount] | None, VOLUMES]


class Named(TypedDict, total=False):
    """A reference by name (a ConfigMap's, a projected Secret's)."""

    name: Any


class ClaimSource(TypedDict, total=False):
    """A persistentVolumeClaim volume: the claim it names."""

    claimName: Any


class SecretSource(TypedDict, total=False):
    """A secret volume: the Secret it names."""

    secretName: Any  # the Secret's name, never its content: kube-inspect reads no Secret


class EmptyDir(TypedDict, total=False):
    """An emptyDir volume: its medium and size limit."""

    medium: Any
    sizeLimit: Any


class Projection(TypedDict, total=False):
    """One source of a projected volume."""

    configMap: Named
    secret: Named
    serviceAccountToken: Skipped
    downwardAPI: Skipped
    clusterTrustBundle: Skipped


class Projected(TypedDict, total=False):
    """A projected volume: its sources."""

    sources: list[Projection] | None


class Volume(TypedDict, total=False):
    """A pod volume: its name, which source it has, and what the shown sources name."""

    name: Any
    awsElasticBlockStore: Skipped
    azureDisk: Skipped
    azureFile: Skipped
    cephfs: Skipped
    cinder: Skipped
    configMap: Named
    csi: Skipped
    downwardAPI: Skipped
    emptyDir: EmptyDir
    ephemeral: Skipped
    fc: Skipped
    flexVolume: Skipped
    flocker: Skipped
    gcePersistentDisk: Skipped
    gitRepo: Skipped
    glusterfs: Skipped
    hostPath: Skipped
    image: Skipped
    iscsi: Skipped
    nfs: Skipped
    persistentVolumeClaim: ClaimSource
    photonPersistentDisk: Skipped
    portworxVolume: Skipped
    projected: Projected
    quobyte: Skipped
    rbd: Skipped
    scaleIO: Skipped
    secret: SecretSource
    storageos: Skipped
    vsphereVolume: Skipped


class Toleration(TypedDict, total=False):
    """A toleration: which taints a pending pod does not tolerate."""

    key: Any
    operator: Any
    value: Any
    effect: Any


class SchedulingGate(TypedDict, total=False):
    """A scheduling gate that holds a pod back from the scheduler."""

    name: Any


class PodResourceClaim(TypedDict, total=False):
    """A pod's claim of devices (DRA): its own name, and the ResourceClaim or template."""

    name: Any
    resourceClaimName: Any
    resourceClaimTemplateName: Any


class PodResourceClaimStatus(TypedDict, total=False):
    """The ResourceClaim made for a pod's claim from its template."""

    name: Any
    resourceClaimName: Any


class PodSpec(TypedDict, total=False):
    """The pod's spec: its node, containers, volumes and what its scheduling reads."""

    nodeName: Any
    # kept for --field-selector on a snapshot (offline/playback.py selects on them)
    restartPolicy: Any
    schedulerName: Any
    serviceAccountName: Any
    priorityClassName: Any
    overhead: Any
    schedulingGates: list[SchedulingGate] | None
    tolerations: list[Toleration] | None  # which taints a pending pod does not tolerate
    initContainers: list[ContainerSpec] | None
    containers: list[ContainerSpec] | None
    ephemeralContainers: list[ContainerSpec] | None
    volumes: Annotated[list[Volume] | None, VOLUMES]
    resourceClaims: list[PodResourceClaim] | None  # devices (DRA): why a pod waits


class Condition(TypedDict, total=False):
    """A pod condition (PodScheduled, Ready...): why a pod is not well."""

    type: Any
    status: Any
    reason: Any
    message: Any


class ContainerStatus(TypedDict, total=False):
    """A container's status: its state, readiness, restarts and image."""

    name: Any
    image: Any
    imageID: Any
    state: Any
    lastState: Any
    ready: Any
    restartCount: Any
    started: Any


class PodStatus(TypedDict, total=False):
    """The pod's status: phase, reasons, IP, conditions and container statuses."""

    phase: Any
    reason: Any
    message: Any
    qosClass: Any
    podIP: Any
    nominatedNodeName: Any  # for --field-selector on a snapshot, as spec's above
    conditions: list[Condition] | None
    initContainerStatuses: list[ContainerStatus] | None
    containerStatuses: list[ContainerStatus] | None
    ephemeralContainerStatuses: list[ContainerStatus] | None
    resourceClaimStatuses: list[PodResourceClaimStatus] | None


class ApiPod(TypedDict, total=False):
    """A pod object, as much of it as the builder reads."""

    metadata: PodMeta | None
    spec: PodSpec | None
    status: PodStatus | None

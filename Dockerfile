# kube-inspect's image: small, non-root, and fine on a read-only root filesystem.
#
# The build context holds wheels/: kube-inspect's wheel and those of its dependencies
# (`make image` makes them with `pip wheel`), so the build itself fetches nothing.
# BASE is any Debian-like image with python3 (3.11 or later) and its venv module: the
# public python:3.11-slim-bookworm where one can be pulled; the tests build one from
# Debian's packages (tests/clusters/image.py), since no registry answers there.
ARG BASE=python:3.11-slim-bookworm
FROM ${BASE}
COPY wheels/ /tmp/wheels/
RUN python3 -m venv /opt/kube-inspect \
    && /opt/kube-inspect/bin/python -m pip install --no-index --no-cache-dir \
        --disable-pip-version-check --find-links /tmp/wheels kube-inspect \
    && rm -rf /tmp/wheels \
    && /opt/kube-inspect/bin/python -m compileall -q /opt/kube-inspect
ENV PATH=/opt/kube-inspect/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    HOME=/tmp
# 65532: the "nonroot" user of distroless images, which Pod security contexts often name
USER 65532:65532
ENTRYPOINT ["kube-inspect"]
CMD ["tree"]

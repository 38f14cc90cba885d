# The npd-checks image: the static plugins and npd-checks, nothing else. FROM scratch: no
# shell, no libc, no base image to pull or patch. Its one job is the DaemonSet's
# initContainer, `npd-checks install --to /opt/npd-checks/bin`, which copies the plugins
# into the emptyDir that NPD's container mounts (manifests/daemonset/daemonset.yaml).
#
# The build context is not the repository but the tree that `make image` stages with
# `npd-checks install` (bin/: every npd-* executable, mode 0755), so the image holds
# exactly what the initContainer will install:
#   make image                                      # buildah, no daemon needed
#   docker build -f Dockerfile target/image         # after `make image` staged it
FROM scratch
COPY bin/ /usr/local/bin/
# No one to be: the initContainer writes into a world-writable emptyDir.
USER 65534:65534
ENTRYPOINT ["/usr/local/bin/npd-checks"]
CMD ["install", "--to", "/opt/npd-checks/bin"]

# drsconform in a container (README.md, "Install"): a static binary on an
# empty base image, run as a non-root user, no shell.
#
#   docker build --build-arg VERSION=v1.2.0 -t drsconform .   (or: make docker)
#   docker run --rm drsconform run                           (the embedded reference)
#   docker run --rm -v "$PWD/out:/reports" drsconform run --target https://drs.example.com \
#       --token "$DRSCONFORM_TOKEN" --report-dir /reports
#
# VERSION is set at link time and goes into every report; empty, the version
# is "devel" (the build context has no .git, see .dockerignore).

FROM golang:1.26-bookworm AS build
WORKDIR /src
ENV CGO_ENABLED=0 GOTOOLCHAIN=local
# Modules first, so that a change to the code does not download them again.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=
RUN go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/drsconform ./cmd/drsconform \
 && mkdir -p /out/reports

FROM scratch
# CA certificates, for https targets.
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/drsconform /usr/local/bin/drsconform
# A place for --report-dir that the non-root user may write (or mount a volume there).
COPY --from=build --chown=65532:65532 /out/reports /reports
ENV PATH=/usr/local/bin
USER 65532:65532
WORKDIR /reports
ENTRYPOINT ["drsconform"]
CMD ["run"]

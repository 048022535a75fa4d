# syntax=docker/dockerfile:1
# One image for every fundmatch process (serve, worker, scheduler, all):
# a static binary on a small Alpine base, run as a non-root user.

FROM golang:1.26-alpine AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/fundmatch ./cmd/fundmatch

FROM alpine:3.22
# ca-certificates for HTTPS crawling; busybox wget serves the health check.
# /var/lib/fundmatch holds the secret key (SECRET_KEY_FILE): a fresh named
# volume mounted there starts as this directory, owned by the user below.
RUN apk add --no-cache ca-certificates \
 && adduser -D -H -u 10001 fundmatch \
 && mkdir -p /var/lib/fundmatch \
 && chown 10001:10001 /var/lib/fundmatch \
 && chmod 0700 /var/lib/fundmatch
COPY --from=build /out/fundmatch /usr/local/bin/fundmatch
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/fundmatch"]
CMD ["all"]

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
RUN apk add --no-cache ca-certificates \
 && adduser -D -H -u 10001 fundmatch
COPY --from=build /out/fundmatch /usr/local/bin/fundmatch
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/fundmatch"]
CMD ["all"]

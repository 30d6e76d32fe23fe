#!/usr/bin/env bash
# A self-signed certificate authority and a server certificate it signs,
# for 127.0.0.1 and localhost (make cluster, tests). Clients trust DIR/ca.crt
# (curl --cacert, REQUESTS_CA_BUNDLE). A deployment uses certbot instead
# (docs/deploy.md).
#
#   deploy/make-ca.sh DIR      -> DIR/ca.crt, DIR/server.crt, DIR/server.key
set -euo pipefail
dir="$1"
mkdir -p "$dir"
cd "$dir"
[ -f server.crt ] && exit 0
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -keyout ca.key -out ca.crt \
  -subj "/CN=Suyuan test CA" \
  -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr \
  -subj "/CN=127.0.0.1" 2>/dev/null
cat > server.ext <<EXT
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost
EXT
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
  -days 30 -extfile server.ext -out server.crt 2>/dev/null
chmod 600 ca.key server.key

# Shared by the test PKI scripts (make_lt_pki.sh, make_time_pki.sh): `openssl ca` state for a
# CA, issuing EC P-256 certificates with explicit validity, and CRLs. Sourced; the caller sets
#   out          the PKI folder (absolute; the current directory)
#   CA_ORG       the O= of every certificate issued
#   ca_extensions a function printing the [ v3_... ] sections the caller's certificates use
#                besides v3_root and v3_ocsp (a delegated OCSP responder), which are here
# Every CA gets its own folder ca/NAME (index.txt, serial, crlnumber, newcerts/, openssl.cnf).

ca_init() {  # ca_init NAME SERIAL
  local d=ca/$1
  mkdir -p "$d/newcerts"
  : >"$d/index.txt"
  echo "$2" >"$d/serial"
  echo "$2" >"$d/crlnumber"
  {
    cat <<CNF
[ ca ]
default_ca = ca_default
[ ca_default ]
dir              = $out/$d
database         = \$dir/index.txt
new_certs_dir    = \$dir/newcerts
serial           = \$dir/serial
crlnumber        = \$dir/crlnumber
default_md       = sha256
default_crl_days = 30
policy           = policy_any
unique_subject   = no
copy_extensions  = none
[ policy_any ]
organizationName       = optional
commonName             = supplied
[ req ]
distinguished_name = req_dn
prompt = no
[ req_dn ]
CN = unused
[ v3_root ]
basicConstraints       = critical, CA:TRUE
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash
[ v3_ocsp ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = OCSPSigning
noCheck                = ignored
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
CNF
    ca_extensions
  } >"$d/openssl.cnf"
}

issue() {  # issue CA NAME CN EXT START END [ISSUER]: NAME.key.pem, NAME.cert.pem (self-signed without ISSUER)
  local ca=$1 name=$2 cn=$3 ext=$4 start=$5 end=$6 issuer=${7:-}
  local cnf=ca/$ca/openssl.cnf
  openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -pkeyopt ec_param_enc:named_curve \
    -out "$name.key.pem"
  openssl req -new -config "$cnf" -key "$name.key.pem" -subj "/O=$CA_ORG/CN=$cn" -out "ca/$ca/$name.csr"
  if [ -z "$issuer" ]; then
    openssl ca -batch -notext -config "$cnf" -selfsign -keyfile "$name.key.pem" -extensions "$ext" \
      -startdate "$start" -enddate "$end" -in "ca/$ca/$name.csr" -out "$name.cert.pem" 2>/dev/null
  else
    openssl ca -batch -notext -config "$cnf" -cert "$issuer.pem" -keyfile "$issuer.key.pem" -extensions "$ext" \
      -startdate "$start" -enddate "$end" -in "ca/$ca/$name.csr" -out "$name.cert.pem" 2>/dev/null
  fi
}

gencrl() {  # gencrl CA OUT [LASTUPDATE NEXTUPDATE]: the CA's CRL as DER in OUT (PEM in ca/CA/OUT.pem)
  local ca=$1 crl_out=$2
  local -a when=()
  [ $# -ge 4 ] && when=(-crl_lastupdate "$3" -crl_nextupdate "$4")
  openssl ca -batch -config "ca/$ca/openssl.cnf" -cert "$ca.pem" -keyfile "$ca.key.pem" -gencrl "${when[@]}" \
    -out "ca/$ca/$crl_out.pem" 2>/dev/null
  openssl crl -in "ca/$ca/$crl_out.pem" -outform DER -out "$crl_out"
}

# root_and_intermediate ROOT_CN INTERMEDIATE_CN START END: root.pem (v3_root, self-signed),
# intermediate.pem (the caller's v3_intermediate, issued by the root) with their keys, and
# chain.pem (intermediate + root). ca_init root and intermediate first.
root_and_intermediate() {
  issue root root "$1" v3_root "$3" "$4"
  mv root.cert.pem root.pem
  issue root intermediate "$2" v3_intermediate "$3" "$4" root
  mv intermediate.cert.pem intermediate.pem
  cat intermediate.pem root.pem >chain.pem
}

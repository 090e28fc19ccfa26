// The validation material a long-term signature carries (a PDF's DSS, a CMS's certificates and
// crls fields): DER certificates, DER OCSPResponses, DER CertificateLists.
#pragma once

#include <algorithm>
#include <vector>

#include "esign/bytes.h"

namespace esign::der {

struct ValidationData {
  std::vector<Bytes> certs;
  std::vector<Bytes> ocsps;
  std::vector<Bytes> crls;

  bool empty() const { return certs.empty() && ocsps.empty() && crls.empty(); }
  // Adds what `other` holds and this does not (byte-identical entries once).
  void merge(const ValidationData& other) {
    auto add = [](std::vector<Bytes>& into, const std::vector<Bytes>& from) {
      for (const Bytes& b : from)
        if (std::find(into.begin(), into.end(), b) == into.end()) into.push_back(b);
    };
    add(certs, other.certs);
    add(ocsps, other.ocsps);
    add(crls, other.crls);
  }
};

}  // namespace esign::der

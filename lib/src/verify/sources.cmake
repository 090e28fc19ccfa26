target_sources(esign_core PRIVATE
  src/verify/cms_check.cpp
  src/verify/outcome.cpp
  src/verify/verify_pdf.cpp
  src/verify/verifier.cpp
  src/verify/report_format.cpp
  src/verify/etsi_report.cpp
  src/verify/text.cpp
  src/verify/revocation_check.cpp
  src/verify/revisions.cpp
  src/verify/visual.cpp
)
target_link_libraries(esign_core PRIVATE PkgConfig::POPPLER_CPP)

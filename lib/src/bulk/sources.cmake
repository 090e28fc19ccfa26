target_sources(esign_core PRIVATE
  src/bulk/scan.cpp
  src/bulk/report.cpp
  src/bulk/engine.cpp
)

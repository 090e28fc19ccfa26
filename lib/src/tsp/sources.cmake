target_sources(esign_core PRIVATE
  src/tsp/client.cpp
  src/tsp/check.cpp
  src/tsp/timestamper.cpp
  src/tsp/stamp_file.cpp
  src/tsp/anchor.cpp
  src/tsp/revocation.cpp
)

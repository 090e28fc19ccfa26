target_sources(esign_core PRIVATE
  src/certs/dn.cpp
  src/certs/csr.cpp
  src/certs/install.cpp
  src/certs/inventory.cpp
)

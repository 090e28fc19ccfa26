target_sources(esign_core PRIVATE
  src/der/der.cpp
  src/der/oid.cpp
)

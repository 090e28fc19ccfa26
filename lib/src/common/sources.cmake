target_sources(esign_core PRIVATE
  src/common/error.cpp
  src/common/bytes.cpp
  src/common/output.cpp
  src/common/file_map.cpp
)

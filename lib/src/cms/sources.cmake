target_sources(esign_core PRIVATE
  src/cms/signed_data.cpp
  src/cms/archive_timestamp.cpp
)

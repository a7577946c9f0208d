#!/bin/sh
# Regenerates Sources/Shard/Generate/DemoSchemaYAML.swift from fixtures/schemas/dp02_dc2_demo.yaml.
cd "$(dirname "$0")/.."
{
  echo '// Generated from fixtures/schemas/dp02_dc2_demo.yaml: keep the two identical'
  echo '// (GenerateTests checks). The demo schema is compiled in so that `skyshard demo` needs no files.'
  echo 'extension DemoSchema {'
  echo '    public static let yaml = #"""'
  cat fixtures/schemas/dp02_dc2_demo.yaml
  echo '"""#'
  echo '}'
} > Sources/Shard/Generate/DemoSchemaYAML.swift

#!/bin/sh
# Copies fixtures/schemas/dp02_dc2_demo.yaml to the DemoData target's resource, after
# scripts/make_demo_schema.py has rewritten it (GenerateTests checks the two are identical).
cd "$(dirname "$0")/.."
cp fixtures/schemas/dp02_dc2_demo.yaml Sources/DemoData/Resources/dp02_dc2_demo.yaml

"""Loads a generated flow/librelane.json with LibreLane's own configuration code (PyPI
librelane, pinned in scripts/python-tools.txt), as far as it runs without a PDK: every key must
be a variable of the Classic flow or of one of its steps, of the right type, and every file it
names must exist. The PDK's own variables (those LibreLane reads from the PDK's configuration,
`Variable.pdk`) are left out, since no PDK is installed here. Usage: load_librelane.py CONFIG.
Prints `loaded: ...` or LibreLane's errors, exit status 1."""
import sys
import tempfile

from librelane.config import Config
from librelane.config.config import InvalidConfig
from librelane.flows import Flow
from librelane.flows.flow import universal_flow_config_variables

classic = Flow.factory.get("Classic")
variables = {}
for v in list(universal_flow_config_variables) + list(classic.config_vars) + [
    v for step in classic.Steps for v in step.config_vars
]:
    variables.setdefault(v.name, v)
# PDK and STD_CELL_LIBRARY name the PDK: a design configuration may set them.
design_vars = [v for v in variables.values() if not v.pdk or v.name in ("PDK", "STD_CELL_LIBRARY")]
with tempfile.TemporaryDirectory() as pdk_root:
    try:
        config, _ = Config.load(sys.argv[1], design_vars, pdk_root=pdk_root, _load_pdk_configs=False)
    except InvalidConfig as e:
        print("\n".join(e.errors))
        sys.exit(1)
macro = config["MACROS"]["gca_subtile"]
print(
    f"loaded: {config['DESIGN_NAME']} on {config['PDK']}/{config['STD_CELL_LIBRARY']}, "
    f"{len(config['VERILOG_FILES'])} Verilog files, {len(macro.instances)} macro instances, "
    f"die {[float(x) for x in config['DIE_AREA']]}"
)

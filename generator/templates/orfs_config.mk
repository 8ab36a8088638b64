{%- for l in header %}
# {{ l }}
{%- endfor %}
#
# Run from ORFS's flow/ folder: make DESIGN_CONFIG=<this folder>/config.mk (docs/flow.md).
# Paths are relative to this file; the variables are those of ORFS's flow/scripts/variables.yaml.

GCA_DIR := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/../..)

export DESIGN_NAME = gca_top
export DESIGN_NICKNAME = {{ nickname }}
export PLATFORM = {{ platform }}

export VERILOG_FILES = \
{%- for f in rtl %}
  $(GCA_DIR)/{{ f }}{% if !loop.last %} \{% endif %}
{%- endfor %}
export SDC_FILE = $(GCA_DIR)/constraints/gca_top.sdc
# The SDC's clock period is a Tcl variable: give ABC the period here.
export ABC_CLOCK_PERIOD_IN_PS = {{ period_ps }}

# The analog macro gca_subtile: LEF and Liberty abstracts, placeholder GDS.
export ADDITIONAL_LEFS = $(GCA_DIR)/macros/gca_subtile.lef
export ADDITIONAL_LIBS = $(GCA_DIR)/macros/gca_subtile.lib
export ADDITIONAL_GDS = $(GCA_DIR)/macros/gca_subtile.gds

# The generated floorplan (docs/flow.md, "Floorplan"), um.
export DIE_AREA = {{ die }}
export CORE_AREA = {{ core }}
export MACRO_PLACEMENT_TCL = $(GCA_DIR)/flow/orfs/{{ placement }}

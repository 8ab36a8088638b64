{%- for l in header %}
# {{ l }}
{%- endfor %}
#
# Timing constraints of gca_top, from the same resolved parameters as the RTL. Every delay is
# a fraction of the clock period (docs/flow.md, "Constraints"):
#   input delay {{ in_pct }} %, output delay {{ out_pct }} %, clock uncertainty {{ unc_pct }} %.
# Read by OpenSTA (`gca flow`) and by LibreLane (PNR_SDC_FILE, SIGNOFF_SDC_FILE).

# Clock: {{ mhz }} MHz on clk. Every delay below scales with gca_period: set it before reading
# this file to time the design at another clock (`gca flow` does so to find the highest one).
if {![info exists gca_period]} { set gca_period {{ period }} }
create_clock -name clk -period $gca_period [get_ports clk]
set_clock_uncertainty [expr {{ "{" }}{{ unc_frac }} * $gca_period}] [get_clocks clk]

# Reset: rst_n is asserted asynchronously and released synchronously outside the block
# (docs/rtl.md), so no timing path starts at it.
set_false_path -from [get_ports rst_n]

# Stream (s_axis_*, m_axis_*) and CSR (s_axil_*) ports, irq: the logic outside the block uses
# {{ in_pct }} % of the period before the inputs and {{ out_pct }} % after the outputs.
set gca_inputs [list{% for n in inputs %} {{ n }}{% endfor %}]
set gca_outputs [list{% for n in outputs %} {{ n }}{% endfor %}]
set_input_delay [expr {{ "{" }}{{ in_frac }} * $gca_period}] -clock clk [get_ports $gca_inputs]
set_output_delay [expr {{ "{" }}{{ out_frac }} * $gca_period}] -clock clk [get_ports $gca_outputs]

# Inputs are driven by {{ driving_cell }} ({{ library }};
# for another library set the environment variables GCA_DRIVING_CELL and GCA_DRIVING_PIN);
# outputs drive {{ load }} pF.
set gca_driving_cell {{ driving_cell }}
set gca_driving_pin {{ driving_pin }}
if {[info exists ::env(GCA_DRIVING_CELL)]} { set gca_driving_cell $::env(GCA_DRIVING_CELL) }
if {[info exists ::env(GCA_DRIVING_PIN)]} { set gca_driving_pin $::env(GCA_DRIVING_PIN) }
set_driving_cell -lib_cell $gca_driving_cell -pin $gca_driving_pin [get_ports $gca_inputs]
set_load {{ load }} [get_ports $gca_outputs]

# Paths into and out of the analog macro gca_subtile ({{ n_macros }} instances) are timed by its
# Liberty abstract (macros/gca_subtile.lib) against clk, an ideal clock sink like every
# flip-flop: each input has setup {{ setup }} ns and hold {{ hold }} ns, the outputs change {{ clk_to_out }} ns
# after the edge. At {{ period }} ns a path into the macro has {{ into }} ns (period - uncertainty -
# setup), a path out of it {{ out_of }} ns (period - uncertainty - clock-to-output) minus the
# capturing flip-flop's setup.

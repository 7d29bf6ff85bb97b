//! Yosys and nextpnr runs per FPGA/ASIC target (being built: issue 5).

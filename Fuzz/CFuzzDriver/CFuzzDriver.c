// Declarations only (see include/CFuzzDriver.h); libFuzzer defines LLVMFuzzerRunDriver.

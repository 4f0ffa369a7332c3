"""Pure, synchronous analysers: numpy arrays and text in, numbers and labels out. No I/O."""

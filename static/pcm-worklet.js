/*
 * AudioWorklet: microphone Float32 -> PCM signed 16-bit little-endian, mono.
 *
 * Posts one message per ~20 ms chunk to the main thread, transferring the ArrayBuffer:
 *   {type: 'pcm', pcm: ArrayBuffer, peak: 0..1}
 * On {type: 'flush'} it posts the partly filled chunk (if any) and then {type: 'flushed'}.
 *
 * The node outputs silence; connect it to a zero-gain node (or the destination) so the
 * browser keeps pulling audio through it.
 */
class Pcm16Writer extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const ms = (options && options.processorOptions && options.processorOptions.chunkMs) || 20;
    // `sampleRate` is a global of the AudioWorkletGlobalScope.
    this.size = Math.max(128, Math.round((sampleRate * ms) / 1000));
    this.alloc();
    this.port.onmessage = (e) => {
      if (e.data && e.data.type === 'flush') {
        this.emit(true);
        this.port.postMessage({ type: 'flushed' });
      }
    };
  }

  alloc() {
    this.buf = new ArrayBuffer(this.size * 2);
    this.view = new DataView(this.buf);
    this.n = 0;
    this.peak = 0;
  }

  emit(partial) {
    if (this.n === 0) return;
    const pcm = partial && this.n < this.size ? this.buf.slice(0, this.n * 2) : this.buf;
    this.port.postMessage({ type: 'pcm', pcm, peak: this.peak }, [pcm]);
    this.alloc();
  }

  process(inputs) {
    const input = inputs[0];
    if (input && input.length > 0) {
      const left = input[0];
      const right = input.length > 1 ? input[1] : null;
      for (let i = 0; i < left.length; i++) {
        let s = right ? (left[i] + right[i]) * 0.5 : left[i];
        if (s > 1) s = 1;
        else if (s < -1) s = -1;
        else if (s !== s) s = 0; // NaN
        const a = s < 0 ? -s : s;
        if (a > this.peak) this.peak = a;
        this.view.setInt16(this.n * 2, s < 0 ? s * 0x8000 : s * 0x7fff, true);
        if (++this.n === this.size) this.emit(false);
      }
    }
    return true; // keep running while connected
  }
}

registerProcessor('pcm16-writer', Pcm16Writer);

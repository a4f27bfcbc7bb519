// Host only (Node). Runs code on MicroPython WebAssembly (v1.27), the official npm port: reads
// {"code": ..., "files": {name: text}} on stdin, writes the files into its in-memory
// filesystem, runs the code, prints its output. Exit 1 on a Python exception.
import { loadMicroPython } from "@micropython/micropython-webassembly-pyscript";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const job = JSON.parse(input);
const mp = await loadMicroPython({ stdout: (line) => process.stdout.write(line + "\n") });
for (const [name, text] of Object.entries(job.files)) mp.FS.writeFile(name, text);
try {
  mp.runPython(job.code);
} catch (e) {
  process.stdout.write(String(e) + "\n");
  process.exit(1);
}

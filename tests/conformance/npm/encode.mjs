// Encode and decode RealtimeKit protobuf messages with the official web SDK's own message types.
//
// @cloudflare/realtimekit 2.0.2 ships its protobuf schema compiled into dist/index.es.js as
// protobuf-ts classes (`class X extends MessageType { constructor() { super("media.Codec", [...]) } }`),
// each instantiated once at module load. It exports none of them. The bundle imports `MessageType`
// from the external package "@protobuf-ts/runtime", so this script registers a module-resolution
// hook that, for imports made by the bundle only, substitutes a module re-exporting the real runtime
// with `MessageType` replaced by a transparent subclass whose constructor records every instance
// by its proto name. Loading the bundle then yields the SDK's own type objects (its generated
// read/write code and field tables, run by the real runtime); nothing in them is changed.
//
// Usage: node encode.mjs <npm install dir>   (the folder .ci/npm-conformance.sh prints)
// stdin:  {"ops": [op, ...]} with op one of
//   {"op": "types"}                                   -> {"types": [proto names]}
//   {"op": "fields", "type": T}                       -> {"fields": [normalised field infos]}
//   {"op": "encode", "type": T, "json": J}            -> {"hex": T.toBinary(T.fromJson(J))}
//   {"op": "decode", "type": T, "hex": H, "json": J}  -> {"equal": T.equals(T.fromBinary(H), T.fromJson(J)),
//                                                         "json": T.toJson(T.fromBinary(H))}
//   {"op": "frame", "event": E, "id"?: I, "type"?: T, "json"?: J, "metadata"?: text}
//        -> {"hex": SocketMessage.toBinary({event, id, payload, metadata})}, built as the SDK's
//           SocketService.send() builds it (absent parts undefined; payload = T.toBinary(T.fromJson(J)))
//   {"op": "unframe", "hex": H, "type"?: T, "json"?: J}
//        -> {"event", "id", "payload": hex, "metadata": text, "equal": payload decoded as T equals J},
//           the SDK's receive path (SocketMessage.fromBinary, then the handler's T.fromBinary(payload))
// stdout: {"sdk": version, "runtime": version, "results": [one object per op, or {"error": message}]}
import { createRequire, register } from "node:module";
import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const installDir = path.resolve(process.argv[2] ?? process.env.RTK_NPM_CONFORMANCE_DIR ?? ".");
const sdkDir = path.join(installDir, "node_modules", "@cloudflare", "realtimekit");
const sdkPackage = JSON.parse(readFileSync(path.join(sdkDir, "package.json"), "utf8"));
const bundlePath = path.join(sdkDir, "dist", "index.es.js");
const requireFromBundle = createRequire(bundlePath);
const runtimePath = requireFromBundle.resolve("@protobuf-ts/runtime");
const runtimePackage = JSON.parse(
  readFileSync(requireFromBundle.resolve("@protobuf-ts/runtime/package.json"), "utf8"),
);

const REGISTRY = "__realtimekitConformanceTypes";
const runtimeUrl = pathToFileURL(runtimePath).href;
const shimSource = `
import * as runtime from ${JSON.stringify(runtimeUrl)};
export * from ${JSON.stringify(runtimeUrl)};
export class MessageType extends runtime.MessageType {
  constructor(...args) {
    super(...args);
    (globalThis[${JSON.stringify(REGISTRY)}] ??= new Map()).set(this.typeName, this);
  }
}
`;
const shimUrl = `data:text/javascript,${encodeURIComponent(shimSource)}`;
const sdkDistUrl = pathToFileURL(path.join(sdkDir, "dist") + path.sep).href;
const hookSource = `
export async function resolve(specifier, context, nextResolve) {
  if (specifier === "@protobuf-ts/runtime" && context.parentURL?.startsWith(${JSON.stringify(sdkDistUrl)})) {
    return { url: ${JSON.stringify(shimUrl)}, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}
`;
register(`data:text/javascript,${encodeURIComponent(hookSource)}`);
await import(pathToFileURL(bundlePath).href);
const types = globalThis[REGISTRY];
if (!types || types.size === 0) {
  throw new Error("the bundle constructed no protobuf-ts MessageType; the hook did not take effect");
}

function typeOf(name) {
  const type = types.get(name);
  if (!type) throw new Error(`the SDK bundle has no message type ${name}`);
  return type;
}

function refName(thunk) {
  const target = thunk();
  if (Array.isArray(target)) {
    // enum: [proto name, enum object, optional value-name prefix]
    const [name, object, prefix] = target;
    const values = Object.entries(object)
      .filter(([key, value]) => typeof value === "number" && Number.isNaN(Number(key)))
      .map(([key, value]) => [(prefix ?? "") + key, value]);
    return { name, values };
  }
  return { name: target.typeName };
}

function normaliseField(field) {
  const out = {
    no: field.no,
    name: field.name,
    kind: field.kind,
    repeat: field.repeat,
    opt: Boolean(field.opt),
    oneof: field.oneof ?? null,
  };
  if (field.kind === "scalar") out.scalar = field.T;
  if (field.kind === "enum" || field.kind === "message") Object.assign(out, { ref: refName(field.T) });
  if (field.kind === "map") {
    out.key = field.K;
    out.value = field.V.kind === "scalar" ? { scalar: field.V.T } : { kind: field.V.kind, ref: refName(field.V.T) };
  }
  return out;
}

const hex = (bytes) => Buffer.from(bytes).toString("hex");
const SOCKET_MESSAGE = "message.v1.SocketMessage";

function run(op) {
  switch (op.op) {
    case "types":
      return { types: [...types.keys()].sort() };
    case "fields":
      return { fields: typeOf(op.type).fields.map(normaliseField) };
    case "encode": {
      const type = typeOf(op.type);
      return { hex: hex(type.toBinary(type.fromJson(op.json))) };
    }
    case "decode": {
      const type = typeOf(op.type);
      const decoded = type.fromBinary(Buffer.from(op.hex, "hex"));
      const expected = type.fromJson(op.json);
      return { equal: type.equals(decoded, expected), json: type.toJson(decoded) };
    }
    case "frame": {
      let payload;
      if (op.type !== undefined) {
        const type = typeOf(op.type);
        payload = type.toBinary(type.fromJson(op.json));
      }
      const metadata = op.metadata === undefined ? undefined : new TextEncoder().encode(op.metadata);
      const frame = { event: op.event, id: op.id, payload, metadata };
      return { hex: hex(typeOf(SOCKET_MESSAGE).toBinary(frame)) };
    }
    case "unframe": {
      const frame = typeOf(SOCKET_MESSAGE).fromBinary(Buffer.from(op.hex, "hex"));
      const out = {
        event: frame.event,
        id: frame.id ?? null,
        payload: frame.payload === undefined ? null : hex(frame.payload),
        metadata: frame.metadata === undefined ? null : new TextDecoder().decode(frame.metadata),
      };
      if (op.type !== undefined) {
        const type = typeOf(op.type);
        out.equal = type.equals(type.fromBinary(frame.payload ?? new Uint8Array()), type.fromJson(op.json));
      }
      return out;
    }
    default:
      throw new Error(`unknown op ${JSON.stringify(op.op)}`);
  }
}

const request = JSON.parse(readFileSync(0, "utf8"));
const results = request.ops.map((op) => {
  try {
    return run(op);
  } catch (error) {
    return { error: String(error?.message ?? error) };
  }
});
// Exit once stdout is flushed (writes to a pipe are asynchronous): the bundle starts timers at
// import that would otherwise keep Node alive.
process.stdout.write(
  JSON.stringify({ sdk: sdkPackage.version, runtime: runtimePackage.version, results }) + "\n",
  () => process.exit(0),
);

// Files imported `with { type: "file" }` resolve to their path (inside the compiled executable).
declare module "*.wasm" {
  const path: string;
  export default path;
}
declare module "*.so" {
  const path: string;
  export default path;
}
declare module "*.bin" {
  const path: string;
  export default path;
}

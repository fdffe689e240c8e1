// `koa2` is the npm alias of Koa 2 (devDependency, for testing both majors); it ships no types.
declare module 'koa2' {
  import Koa from 'koa'
  export default Koa
}

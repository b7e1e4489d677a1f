// Style sheets are bundled by esbuild into app.css; importing one has no value in TS.
declare module '*.css';

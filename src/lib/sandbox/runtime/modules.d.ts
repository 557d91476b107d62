// d3 ships no types and @types/d3 is not installed: the sandbox only hands the module to cells.
declare module 'd3';

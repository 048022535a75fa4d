package store

// DirectRows is directRows, for the tests outside the package.
const DirectRows = directRows

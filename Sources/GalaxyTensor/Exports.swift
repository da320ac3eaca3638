// The tensor core builds on the base module's `require` and `SeededGenerator`; every user of
// tensors gets them with `import GalaxyTensor`.
@_exported import GalaxyCore

import Foundation
import Testing
import GalaxyFITS
import TestSupport

@Suite("FITS files")
struct FITSFileTests {
    @Test func aBinaryTableRoundTripsAndAstropyReadsIt() throws {
        let path = TestSupport.temporaryFolder("fits") + "/table.fits"
        let file = try FITSFile.create(path)
        try file.createTable(name: "T", columns: [FITSFile.Column("objid", "K"), FITSFile.Column("ra", "D"), FITSFile.Column("p", "E"),
                                                  FITSFile.Column("name", "8A")])
        try file.write([Int64(1_237_648_720_693_755_000), -2], column: 1, firstRow: 0)
        try file.write([150.25, -1e-3], column: 2, firstRow: 0)
        try file.write([Float(0.5), 0.125], column: 3, firstRow: 0)
        try file.write(["NGC 1", "007"], column: 4, firstRow: 0)
        try file.close()

        let read = try FITSFile.open(path)
        #expect(try read.move(to: 2) == .binaryTable)
        #expect(try read.columnNames() == ["objid", "ra", "p", "name"])
        #expect(try read.rowCount() == 2)
        #expect(try read.readStrings(column: 1, rows: 0..<2) == ["1237648720693755000", "-2"])
        #expect(try read.readStrings(column: 4, rows: 0..<2) == ["NGC 1", "007"])
        guard TestSupport.pythonHas("astropy") else { return print("skipped the astropy check: astropy is not installed") }
        let text = try TestSupport.python("""
            from astropy.table import Table
            t = Table.read('\(path)')
            print([int(x) for x in t['objid']], [str(x) for x in t['name']], float(t['p'][1]))
            """)
        #expect(text.contains("[1237648720693755000, -2] ['NGC 1', '007'] 0.125"), "\(text)")
    }

    /// A small file whose header claims 300 GB of pixels is refused by name before any memory is
    /// asked for (it used to be allocated, and the process died).
    @Test func aHeaderClaimingMorePixelsThanTheFileHoldsIsRefused() throws {
        let folder = TestSupport.temporaryFolder("fits-huge")
        _ = try TestSupport.python("""
            import numpy as np
            from astropy.io import fits
            fits.PrimaryHDU(np.zeros((3, 64, 64), np.float32)).writeto('\(folder)/huge.fits')
            b = bytearray(open('\(folder)/huge.fits', 'rb').read())
            i = b.find(b'NAXIS1  =')
            b[i:i + 80] = ('NAXIS1  = %20d' % 400000000).ljust(80).encode()
            open('\(folder)/huge.fits', 'wb').write(bytes(b))
            """)
        let file = try FITSFile.open(folder + "/huge.fits")
        let error = try #require(throws: FITSError.self) { _ = try file.readImage() }
        #expect(error.description.contains("huge.fits") && error.description.contains("400000000×64×3"), "\(error)")
    }

    @Test func aMissingFileIsNamed() {
        let path = TestSupport.temporaryFolder("fits") + "/none.fits"
        let error = #expect(throws: FITSError.self) { _ = try FITSFile.open(path) }
        #expect(error?.file == path)
    }
}

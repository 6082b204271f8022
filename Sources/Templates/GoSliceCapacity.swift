/// The capacity Go's `encoding/json` leaves on a decoded `[]interface{}`. It matters because Go's `index` and
/// `slice` check indexes against the capacity, not the length: `slice` may reach past the last element (seeing
/// nils) and `index` between length and capacity fails with reflect's own message.
enum GoSliceCapacity {
    /// Go's malloc size classes (runtime/sizeclasses.go, Go 1.19) up to 32 KiB.
    private static let sizeClasses = [
        0, 8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256, 288, 320, 352, 384, 416,
        448, 480, 512, 576, 640, 704, 768, 896, 1024, 1152, 1280, 1408, 1536, 1792, 2048, 2304, 2688, 3072, 3200,
        3456, 4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472, 9728, 10240, 10880, 12288, 13568, 14336, 16384,
        18432, 19072, 20480, 21760, 24576, 27264, 28672, 32768,
    ]

    /// The capacity after appending `count` interface values one by one to `make([]any, 0)`, following
    /// Go 1.19's `growslice` and rounding each allocation up to its size class (16 bytes per element).
    static func decoded(count: Int) -> Int {
        var capacity = 0
        while capacity < count {
            let needed = capacity + 1
            var grown = capacity * 2
            if needed > grown {
                grown = needed
            } else if capacity >= 256 {
                grown = capacity
                while grown < needed { grown += (grown + 3 * 256) / 4 }
            }
            let bytes = grown * 16
            let rounded = bytes <= 32768 ? sizeClasses.first { $0 >= bytes }! : (bytes + 8191) / 8192 * 8192
            capacity = rounded / 16
        }
        return capacity
    }
}

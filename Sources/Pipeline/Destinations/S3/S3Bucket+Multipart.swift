import HTTP

/// S3's multipart upload (S3 API: CreateMultipartUpload, UploadPart, CompleteMultipartUpload,
/// AbortMultipartUpload), for objects larger than one request should carry.
extension S3Bucket {
    /// Uploads `object`'s parts in order and completes the upload; on any failure aborts it, so S3 frees the parts,
    /// and throws the failure that stopped it.
    func uploadInParts(_ object: S3Object) async throws(S3Error) {
        let created = try await send("POST", key: object.key, query: [("uploads", "")],
                                     extraHeaders: [("Content-Type", object.contentType)])
        guard let uploadID = S3XML.element("UploadId", in: created.bodyText), !uploadID.isEmpty else {
            throw .unreachable("S3 answered CreateMultipartUpload without an UploadId: \(created.bodyText.prefix(200))")
        }
        do throws(S3Error) {
            var etags: [String] = []
            for (index, part) in object.parts.enumerated() {
                let answer = try await send("PUT", key: object.key, query: [("partNumber", String(index + 1)), ("uploadId", uploadID)],
                                            body: part.body, payloadHash: part.payloadHash)
                guard let etag = answer.headers["ETag"] else {
                    throw S3Error.unreachable("S3 answered UploadPart \(index + 1) without an ETag")
                }
                etags.append(etag)
            }
            let completion = Array(Self.completionXML(etags: etags).utf8)
            let completed = try await send("POST", key: object.key, query: [("uploadId", uploadID)], body: completion,
                                           payloadHash: SigV4Signer.hexSHA256(completion),
                                           extraHeaders: [("Content-Type", "application/xml")])
            // S3 may answer 200 and report a failure in the body (S3 API CompleteMultipartUpload).
            if completed.bodyText.contains("<Error>") { throw S3Error(response: completed) }
        } catch {
            // The upload's own failure is what the caller needs; a failed abort only leaves parts that a bucket
            // lifecycle rule for incomplete uploads removes.
            _ = try? await send("DELETE", key: object.key, query: [("uploadId", uploadID)])
            throw error
        }
    }

    /// The CompleteMultipartUpload body: every part's number and the ETag S3 gave it, in order.
    static func completionXML(etags: [String]) -> String {
        let parts = etags.enumerated().map { index, etag in
            "<Part><PartNumber>\(index + 1)</PartNumber><ETag>\(S3XML.escaped(etag))</ETag></Part>"
        }
        return "<CompleteMultipartUpload>\(parts.joined())</CompleteMultipartUpload>"
    }
}

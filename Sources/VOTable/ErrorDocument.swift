/// The DALI error document: a complete VOTable whose results RESOURCE holds only an INFO with
/// `QUERY_STATUS` = `ERROR` and the message as its content.
public enum VOTableErrorDocument {
    public static func bytes(message: String, infos: [VOTableInfo] = []) -> [UInt8] {
        var out = OutputBuffer(capacity: 512 + message.utf8.count)
        write(message: message, infos: infos, into: &out)
        return out.bytes
    }

    public static func write(message: String, infos: [VOTableInfo] = [], into out: inout OutputBuffer) {
        VOTableMarkup.documentStart(into: &out)
        out.append("<RESOURCE type=\"results\">\n")
        VOTableMarkup.info(name: "QUERY_STATUS", value: "ERROR", content: message, into: &out)
        for info in infos {
            VOTableMarkup.info(name: info.name, value: info.value, content: info.content, into: &out)
        }
        out.append("</RESOURCE>\n</VOTABLE>\n")
    }
}

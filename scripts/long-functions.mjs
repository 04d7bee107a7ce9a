import ts from "typescript";
import fs from "fs";
import path from "path";
const files = process.argv.slice(2);
for (const f of files) {
  const src = ts.createSourceFile(f, fs.readFileSync(f, "utf8"), ts.ScriptTarget.Latest, true);
  const visit = (n) => {
    if (ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n) || ts.isArrowFunction(n) || ts.isFunctionExpression(n) || ts.isConstructorDeclaration(n)) {
      const a = src.getLineAndCharacterOfPosition(n.getStart()).line;
      const b = src.getLineAndCharacterOfPosition(n.getEnd()).line;
      if (b - a + 1 > 60) {
        let name = n.name ? n.name.getText() : (n.parent && n.parent.name ? n.parent.name.getText() : "<anon>");
        console.log(`${b - a + 1}\t${f}:${a + 1}\t${name}`);
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(src);
}
